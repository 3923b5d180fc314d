"""Markdown: ATX and setext headings, front-matter titles; code stays text, embedded HTML's
scripts, styles and comments go, and the markup itself is stripped."""

import re

from ingestion.parse.base import Outline
from ingestion.parse.encoding import decode_text, refuse_binary_text
from ingestion.parse.reflow import LIST_OR_ROW, reflow

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.MULTILINE)
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RAW_HTML_OPEN = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)


def parse_markdown(data: bytes) -> Outline:
    decoded = decode_text(data)
    text = decoded.text.replace("\r\n", "\n")
    refuse_binary_text(text)
    text = _without_scripts(text)
    outline = Outline(encoding=decoded.encoding)
    front = _FRONT_MATTER.match(text)
    if front:
        title = _FRONT_TITLE.search(front.group(1))
        outline.title = title.group(1) if title else None
        text = text[front.end() :]
    paragraph: list[str] = []

    def end_paragraph() -> None:
        for line in reflow(paragraph):
            outline.add(_strip_markdown(line))
        paragraph.clear()

    lines = text.split("\n")
    in_fence = False
    table_end = 0
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if index < table_end:
            continue
        if not in_fence and _is_table_start(line, following):
            end_paragraph()
            table_end = _table_end(lines, index + 2)
            rows = [line, *lines[index + 2 : table_end]]
            outline.table([_cells(row) for row in rows], header=True)
        elif _FENCE.match(line):
            in_fence = not in_fence
            end_paragraph()
        elif in_fence:
            paragraph.append(line)  # code stays, but never becomes a heading
        elif atx := _ATX.match(line):
            end_paragraph()
            outline.heading(len(atx.group(1)), _strip_markdown(atx.group(2)))
        elif not paragraph and line.strip() and _SETEXT.match(following) and not LIST_OR_ROW.match(line):
            outline.heading(1 if following.strip().startswith("=") else 2, _strip_markdown(line))
            lines[index + 1] = ""  # the underline
        elif not line.strip() or _SETEXT.match(line) or _TABLE_RULE.match(line):
            end_paragraph()
        else:
            paragraph.append(line)
    end_paragraph()
    return outline


def _is_table_start(line: str, following: str) -> bool:
    """A GitHub table: a row of cells, then a rule of dashes with the same separators."""
    return "|" in line.strip().strip("|") and bool(_TABLE_RULE.match(following)) and "|" in following


def _table_end(lines: list[str], start: int) -> int:
    """A table's body runs until a blank line or a line without a cell separator."""
    end = start
    while end < len(lines) and lines[end].strip() and "|" in lines[end]:
        end += 1
    return end


def _cells(row: str) -> list[str]:
    row = row.strip().replace("\\|", "\x00")  # an escaped pipe is text, not a cell border
    row = row.removeprefix("|").removesuffix("|")
    return [_strip_markdown(cell).replace("\x00", "|") for cell in row.split("|")]


def _without_scripts(text: str) -> str:
    """Markdown may embed HTML; its scripts, styles and comments are not content. One pass
    with str.find, not a lazy regex, which would rescan to the end after every unclosed tag."""
    lower = text.lower()
    kept, at = [], 0
    for opening in _RAW_HTML_OPEN.finditer(text):
        if opening.start() < at:
            continue
        closing = f"</{opening.group(1).lower()}" if opening.group(1) else "-->"
        end = lower.find(closing, opening.end())
        if end < 0:
            break  # unclosed: the rest stays text
        kept.append(text[at : opening.start()])
        at = lower.find(">", end) + 1 or len(text)
    return "".join(kept) + text[at:]


def _strip_markdown(line: str) -> str:
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links and images keep their text
    line = re.sub(r"<[^>]+>", "", line)
    line = re.sub(r"^\s*[-*+]\s+|^\s*>\s?", "", line)
    line = line.strip().strip("|").replace("**", "").replace("__", "").replace("`", "")
    return re.sub(r"\s*\|\s*", " | ", line) if "|" in line else line
