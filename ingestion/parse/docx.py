"""DOCX: body paragraphs and tables in order, Word's heading styles as headings, refused
before anything is inflated when its declared sizes look like a zip bomb. python-docx is
imported inside the function, so that the web app does not load it."""

import io
import re
import zipfile

from ingestion.parse.base import Outline, ParseError, ParseLimits, human_size

RATIO_FLOOR = 1 << 20  # small XML parts compress very well without being bombs


def check_zip(data: bytes, limits: ParseLimits) -> None:
    """Refuse a zip bomb from the sizes the archive declares, before anything is inflated.
    Python's zipfile never inflates a member past its declared size, so these are trustworthy."""
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()  # readable: detect_type opened it
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise ParseError(
            f"the Word document would expand to {human_size(total)}, over the "
            f"{human_size(limits.max_unzipped_bytes)} limit; it looks like a zip bomb"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise ParseError(
                f"the Word document's part {member.filename} is compressed {ratio:.0f} times "
                f"(the limit is {limits.max_compression_ratio}); it looks like a zip bomb"
            )


def parse_docx(data: bytes) -> Outline:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        outline = Outline()
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraph = Paragraph(child, document)
                level = _heading_level(paragraph)
                if level is not None:
                    outline.heading(level, paragraph.text)
                else:
                    outline.add(paragraph.text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    outline.add(" | ".join(_unique_cells(row)))
        title = document.core_properties.title
    except Exception as exc:  # python-docx and lxml raise many types on damaged parts
        raise ParseError(
            f"the Word document is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    outline.title = title.strip() if title and title.strip() else outline.title
    return outline


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


def _unique_cells(row) -> list[str]:
    """python-docx repeats a merged cell once per grid column; keep it once."""
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return cells
