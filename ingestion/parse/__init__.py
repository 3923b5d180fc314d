"""Parsing: bytes of an uploaded file → readable text sections with headings and pages.

Every refusal is a ParseError whose message is the reason shown to the KB admin; no other
exception leaves this package, because uploads are untrusted and parser libraries fail in
many ways. One module per format; parser libraries are imported inside the functions that
use them, so that the web app does not load them.
"""

from collections.abc import Callable

from ingestion.parse.base import (
    CELL_SEPARATOR,
    DEFAULT_LIMITS,
    Outline,
    ParsedDocument,
    ParseError,
    ParseLimits,
    Section,
    human_size,
    table_rows,
)
from ingestion.parse.delimited import parse_csv
from ingestion.parse.detect import (
    EXTENSION_TYPES,
    SUPPORTED_EXTENSIONS,
    detect_type,
    unsupported_type_reason,
)
from ingestion.parse.docx import parse_docx
from ingestion.parse.html import parse_html
from ingestion.parse.image import parse_image
from ingestion.parse.mail import parse_eml
from ingestion.parse.markdown import parse_markdown
from ingestion.parse.odt import parse_odt
from ingestion.parse.pdf import parse_pdf
from ingestion.parse.slides import parse_pptx
from ingestion.parse.spreadsheet import parse_xlsx
from ingestion.parse.text import parse_text
from ingestion.parse.zipcheck import check_zip

__all__ = [
    "CELL_SEPARATOR",
    "DEFAULT_LIMITS",
    "EXTENSION_TYPES",
    "SUPPORTED_EXTENSIONS",
    "ParseError",
    "ParseLimits",
    "ParsedDocument",
    "Section",
    "detect_type",
    "parse_document",
    "table_rows",
    "unsupported_type_reason",
]

_PARSERS: dict[str, Callable[[bytes], Outline]] = {
    "docx": parse_docx,
    "html": parse_html,
    "markdown": parse_markdown,
    "text": parse_text,
    "eml": parse_eml,
    "odt": parse_odt,
}
_LIMITED_PARSERS: dict[str, Callable[[bytes, ParseLimits], Outline]] = {
    "pdf": parse_pdf,
    "csv": parse_csv,
    "xlsx": parse_xlsx,
    "pptx": parse_pptx,
    "image": parse_image,
}
_ZIPPED = {
    "docx": "the Word document",
    "xlsx": "the Excel workbook",
    "pptx": "the PowerPoint file",
    "odt": "the OpenDocument file",
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
    if kind in _ZIPPED:
        check_zip(data, limits, what=_ZIPPED[kind])
    outline = _LIMITED_PARSERS[kind](data, limits) if kind in _LIMITED_PARSERS else _PARSERS[kind](data)
    if not outline.sections:
        raise ParseError("no readable text was found in the document")
    return ParsedDocument(
        detected_type=kind, title=outline.title, sections=outline.sections, encoding=outline.encoding
    )
