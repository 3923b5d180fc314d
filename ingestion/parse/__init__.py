"""Parsing: bytes of an uploaded file → readable text sections with headings and pages.

Every refusal is a ParseError whose message is the reason shown to the KB admin; no other
exception leaves this package, because uploads are untrusted and parser libraries fail in
many ways. One module per format; parser libraries are imported inside the functions that
use them, so that the web app does not load them.
"""

from collections.abc import Callable

from ingestion.parse.base import (
    DEFAULT_LIMITS,
    Outline,
    ParsedDocument,
    ParseError,
    ParseLimits,
    Section,
    human_size,
)
from ingestion.parse.detect import EXTENSION_TYPES, SUPPORTED_EXTENSIONS, detect_type
from ingestion.parse.docx import check_zip, parse_docx
from ingestion.parse.html import parse_html
from ingestion.parse.markdown import parse_markdown
from ingestion.parse.pdf import parse_pdf
from ingestion.parse.text import parse_text

__all__ = [
    "DEFAULT_LIMITS",
    "EXTENSION_TYPES",
    "SUPPORTED_EXTENSIONS",
    "ParseError",
    "ParseLimits",
    "ParsedDocument",
    "Section",
    "detect_type",
    "parse_document",
]

_PARSERS: dict[str, Callable[[bytes], Outline]] = {
    "pdf": parse_pdf,
    "docx": parse_docx,
    "html": parse_html,
    "markdown": parse_markdown,
    "text": parse_text,
}


def parse_document(data: bytes, filename: str, *, limits: ParseLimits = DEFAULT_LIMITS) -> ParsedDocument:
    """Sections in reading order; raises ParseError for anything that is not a readable document."""
    if not data:
        raise ParseError("the file is empty")
    if len(data) > limits.max_bytes:
        raise ParseError(
            f"the file is {len(data):,} bytes, over the {human_size(limits.max_bytes)} upload limit"
        )
    kind = detect_type(data, filename)
    if kind == "docx":
        check_zip(data, limits)
    outline = _PARSERS[kind](data)
    if not outline.sections:
        raise ParseError("no readable text was found in the document")
    return ParsedDocument(detected_type=kind, title=outline.title, sections=outline.sections)
