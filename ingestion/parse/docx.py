"""DOCX: body paragraphs and tables in reading order (content controls and nested tables
included), Word's heading styles as headings, each table row with its column headers, and
the page headers and footers once at the end rather than on every page. python-docx is
imported inside the function, so that the web app does not load it."""

import io
import re
from collections.abc import Iterator
from typing import Any

from ingestion.parse.base import CELL_SEPARATOR, Outline, ParseError, Section

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADERS_AND_FOOTERS = "Page header and footer"


def parse_docx(data: bytes) -> Outline:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
        outline = Outline()
        for kind, block in _blocks(document.element.body, document):
            if kind == "table":
                outline.table(_grid(block), header=_marked_header(block))
            elif (level := _heading_level(block)) is not None:
                outline.heading(level, block.text)
            else:
                outline.add(block.text)
        margins = _headers_and_footers(document)
        title = document.core_properties.title
    except Exception as exc:  # python-docx and lxml raise many types on damaged parts
        raise ParseError(
            f"the Word document is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    outline.sections += [Section(text, HEADERS_AND_FOOTERS, None) for text in margins]
    outline.title = title.strip() if title and title.strip() else outline.title
    return outline


def _blocks(element, parent) -> Iterator[tuple[str, Any]]:
    """Paragraphs and tables in document order; content controls (w:sdt) are opened, since
    templates often wrap whole clauses in them."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    for child in element.iterchildren():
        if child.tag == f"{_W}p":
            yield "paragraph", Paragraph(child, parent)
        elif child.tag == f"{_W}tbl":
            yield "table", Table(child, parent)
        elif child.tag == f"{_W}sdt":
            content = child.find(f"{_W}sdtContent")
            if content is not None:
                yield from _blocks(content, parent)


def _grid(table) -> list[list[str]]:
    """The table's text, one cell per grid column (a merged cell repeats; table_rows keeps it once)."""
    return [[_cell_text(cell) for cell in row.cells] for row in table.rows]


def _cell_text(cell) -> str:
    """A cell's paragraphs and any table nested in it, as one line."""
    parts = []
    for kind, block in _blocks(cell._tc, cell):
        if kind == "table":
            parts += [" ".join(_unique_row(row)) for row in _grid(block)]
        else:
            parts.append(block.text)
    return " ".join(" ".join(parts).split())


def _unique_row(row: list[str]) -> list[str]:
    return [cell for n, cell in enumerate(row) if cell and (n == 0 or row[n - 1] != cell)]


def _marked_header(table) -> bool | None:
    """Word's "repeat as header row", or a bold first row, says the first row names the columns;
    otherwise table_rows decides from the text."""
    rows = table.rows
    if len(rows) < 2:
        return None
    first = rows[0]._tr
    if first.find(f"{_W}trPr/{_W}tblHeader") is not None:
        return True
    runs = [
        run
        for cell in rows[0].cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.text.strip()
    ]
    return True if runs and all(run.bold for run in runs) else None


def _headers_and_footers(document) -> list[str]:
    """Each distinct header and footer text once, whatever the number of sections and pages."""
    seen: dict[str, None] = {}
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.footer, section.first_page_footer):
            if part.is_linked_to_previous:
                continue
            for kind, block in _blocks(part._element, part):
                lines = (
                    [CELL_SEPARATOR.join(_unique_row(row)) for row in _grid(block)]
                    if kind == "table"
                    else [block.text]
                )
                for line in lines:
                    line = " ".join(line.split())
                    if line:
                        seen.setdefault(line)
    return list(seen)


def _heading_level(paragraph) -> int | None:
    """Word's built-in Title and Heading N styles (whatever language the UI names them in)."""
    style = paragraph.style
    names = {style.name or "", style.style_id or ""} if style is not None else set()
    for name in names:
        if name.lower() == "title":
            return 0  # the document's own title, above its Heading 1
        found = re.fullmatch(r"(?:heading|标题)\s*(\d)", name, re.IGNORECASE)
        if found:
            return int(found.group(1))
    return None
