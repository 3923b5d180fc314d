"""OpenDocument text (.odt, from LibreOffice and others): headings by outline level,
paragraphs, lists and tables in reading order, each table row with its header. odfpy parses
through defusedxml, and is imported inside the function, so that the web app does not load it."""

import io

from ingestion.parse.base import Outline, ParseError

_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_SKIPPED = {(_TEXT, "table-of-content"), (_TEXT, "tracked-changes"), (_TEXT, "sequence-decls")}
_MAX_REPEAT = 50  # a cell "repeated" 16,384 times is how ODF fills a row to the sheet's edge


def parse_odt(data: bytes) -> Outline:
    from odf.opendocument import load

    try:
        document = load(io.BytesIO(data))
        outline = Outline()
        _walk(document.text, outline)
    except Exception as exc:  # odfpy and the XML parser raise many types on damaged parts
        raise ParseError(
            f"the OpenDocument file is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    return outline


def _walk(element, outline: Outline) -> None:
    from odf import teletype

    stack = [iter(element.childNodes)]  # explicit: lists may nest deeper than recursion allows
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            continue
        name = getattr(node, "qname", None)
        if name == (_TEXT, "h"):
            level = node.getAttrNS(_TEXT, "outline-level")
            outline.heading(int(level) if level and str(level).isdigit() else 1, teletype.extractText(node))
        elif name == (_TEXT, "p"):
            outline.add(" ".join(teletype.extractText(node).split()))
        elif name == (_TABLE, "table"):
            rows, header = _table(node)
            outline.table(rows, header=header)
        elif name is not None and name[0] == _TEXT and name not in _SKIPPED:  # sections, lists, items
            stack.append(iter(node.childNodes))


def _table(table) -> tuple[list[list[str]], bool | None]:
    from odf import teletype

    rows: list[list[str]] = []
    header_rows = 0
    stack = [(iter(table.childNodes), False)]
    while stack:
        node = next(stack[-1][0], None)
        if node is None:
            stack.pop()
            continue
        name = getattr(node, "qname", (None, None))
        if name == (_TABLE, "table-row"):
            row = []
            for cell in node.childNodes:
                if getattr(cell, "qname", (None, ""))[1] in {"table-cell", "covered-table-cell"}:
                    repeat = cell.getAttrNS(_TABLE, "number-columns-repeated")
                    text = " ".join(teletype.extractText(cell).split())
                    row += [text] * min(int(repeat) if repeat and str(repeat).isdigit() else 1, _MAX_REPEAT)
            rows.append(row)
            header_rows += stack[-1][1]
        elif name[0] == _TABLE and name[1] in {"table-header-rows", "table-rows", "table-row-group"}:
            stack.append((iter(node.childNodes), name[1] == "table-header-rows"))
    return rows, (True if header_rows == 1 and len(rows) > 1 else None)
