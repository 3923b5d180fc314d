"""HTML: headings, blocks and table rows, from the visible text only. BeautifulSoup is
imported inside the functions, so that the web app does not load it."""

import re

from ingestion.parse.base import Outline, ParseError
from ingestion.parse.encoding import decode_text

_SKIPPED_TAGS = {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "head", "nav"}
_SKIPPED_TAGS |= {"button", "select", "textarea", "canvas", "audio", "video"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "thead", "ul",
}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def parse_html(data: bytes) -> Outline:
    """Only text leaves this function: scripts, styles, embedded objects, comments and hidden
    elements are removed first, and attributes (event handlers included) are never read."""
    from bs4 import BeautifulSoup
    from bs4.element import PreformattedString

    try:
        decoded = decode_text(data)
        soup = BeautifulSoup(decoded.text, "lxml")
    except ParseError:
        raise
    except Exception as exc:  # a hostile page must not crash ingestion, whatever lxml makes of it
        raise ParseError(f"the HTML cannot be read ({exc.__class__.__name__})") from exc
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    for element in soup.find_all(lambda tag: tag.name in _SKIPPED_TAGS or _hidden(tag)):
        element.decompose()
    for markup in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):  # comments, CDATA
        markup.extract()
    outline = _html_outline(soup.body or soup)
    outline.title = title or outline.title
    outline.encoding = decoded.encoding
    if not outline.sections:
        raise ParseError("HTML has no readable text (only scripts, styles or markup)")
    return outline


def _html_outline(root) -> Outline:
    """Walks the tree with an explicit stack: pages may nest deeper than Python recursion."""
    from bs4.element import NavigableString

    outline = Outline()
    inline: list[str] = []

    def end_block() -> None:
        outline.add(" ".join("".join(inline).split()))
        inline.clear()

    stack = [(iter(root.children), False)]
    while stack:
        node = next(stack[-1][0], None)
        if node is None:
            if stack.pop()[1]:
                end_block()
        elif isinstance(node, NavigableString):
            inline.append(str(node))
        elif re.fullmatch(r"h[1-6]", node.name):
            end_block()
            outline.heading(int(node.name[1]), node.get_text(" "))
        elif node.name == "table":
            end_block()
            _html_table(node, outline)
        elif node.name == "tr":  # a row outside any table
            end_block()
            outline.table([[_cell_text(cell) for cell in node.find_all(["td", "th"], recursive=False)]])
        else:
            block = node.name in _BLOCK_TAGS
            if block:
                end_block()
            stack.append((iter(node.children), block))
    end_block()
    return outline


_MAX_COLSPAN = 50


def _html_table(table, outline: Outline) -> None:
    """Rows of this table (not of tables nested in its cells, which are read as cell text),
    a spanned cell repeated across its columns so that values stay under their headers."""
    caption = table.find("caption")
    if caption is not None:
        outline.add(" ".join(caption.get_text(" ").split()))
    rows, header_cells = [], []
    for row in table.find_all("tr"):
        if row.find_parent("table") is not table:
            continue
        cells = row.find_all(["td", "th"], recursive=False)
        header_cells.append(bool(cells) and all(cell.name == "th" for cell in cells))
        rows.append([_cell_text(cell) for cell in cells for _ in range(_span(cell))])
    header = True if header_cells and header_cells[0] else None
    outline.table(rows, header=header)


def _span(cell) -> int:
    try:
        return max(1, min(int(str(cell.get("colspan", 1))), _MAX_COLSPAN))
    except ValueError:
        return 1


def _cell_text(cell) -> str:
    return " ".join(cell.get_text(" ").split())


def _hidden(tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))
