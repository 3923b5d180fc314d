"""Plain text: blank lines separate paragraphs, and the first line is the title when short."""

import re

from ingestion.parse.base import Outline
from ingestion.parse.encoding import decode_text, refuse_binary_text
from ingestion.parse.reflow import reflow


def parse_text(data: bytes) -> Outline:
    decoded = decode_text(data)
    text = decoded.text
    refuse_binary_text(text)
    outline = Outline(encoding=decoded.encoding)
    for paragraph in re.split(r"\n\s*\n", text):
        for line in reflow(paragraph.splitlines()):
            outline.add(line)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    outline.title = first_line if len(first_line) <= 120 else None
    return outline
