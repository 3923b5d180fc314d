"""PDF: the text layer with its font sizes, from which headings, reflowed paragraphs and
table rows are recovered. pypdf is imported inside the functions, so that the web app does
not load it."""

import io
import math
import re
from collections import Counter
from dataclasses import dataclass

from ingestion.parse.base import Outline, ParseError
from ingestion.parse.reflow import LIST_OR_ROW, reflow


def parse_pdf(data: bytes) -> Outline:
    if b"%%EOF" not in data[-2048:]:
        raise ParseError("the PDF is incomplete (it has no end-of-file marker); it was probably truncated")
    pages, metadata_title = _read_pdf(data)
    if not any(text.strip() for lines in pages for text, _ in lines):
        raise ParseError("the PDF has no text layer (a scan?); OCR is not supported, upload a PDF with text")
    outline = _pdf_outline(pages)
    outline.title = outline.title if _placeholder_title(metadata_title) else metadata_title
    return outline


def _placeholder_title(title: str | None) -> bool:
    """What PDF tools write when nobody set a title; the first heading says more."""
    return not title or title.lower() in {"untitled", "(anonymous)"} or title.startswith("Microsoft Word - ")


_Line = tuple[str, float]  # the text of one line and its largest font size


def _read_pdf(data: bytes) -> tuple[list[list[_Line]], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still reads
            raise ParseError("the PDF is encrypted; upload an unprotected copy")
        if len(reader.pages) == 0:
            raise ParseError("the PDF has no pages")
        pages = [_pdf_lines(page) for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except ParseError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ParseError("the PDF is encrypted; upload an unprotected copy") from exc
    except Exception as exc:  # pypdf fails in many ways on damaged files; each is a damaged PDF here
        raise ParseError(f"the PDF is damaged and cannot be read ({exc.__class__.__name__})") from exc
    return pages, (str(title).strip() or None) if title else None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what symbol fonts' bullets often extract as
_WORD = re.compile(r"\w")


@dataclass
class _PdfLine:
    text: str = ""
    size: float = 0.0  # the largest font size in the line
    x: float | None = None  # where its text starts
    y: float = 0.0


def _pdf_lines(page) -> list[_Line]:
    """The page's text lines with their font sizes (headings are set larger). pypdf gives
    each table cell its own line; cells at one height, left to right, become one row "a | b"."""
    lines: list[_PdfLine] = []
    current = _PdfLine()

    def end_line() -> None:
        nonlocal current
        previous = lines[-1] if lines else None
        if not current.text.strip():
            pass
        elif (
            previous
            and previous.x is not None
            and current.x is not None
            and abs(previous.y - current.y) < 1
            and current.x > previous.x
        ):
            previous.text = f"{previous.text.strip()} | {current.text.strip()}"
            previous.size, previous.x = max(previous.size, current.size), current.x
        else:
            lines.append(current)
        current = _PdfLine()

    def visit(fragment: str, cm, tm, font, font_size) -> None:
        scale = abs(tm[0] * tm[3] - tm[1] * tm[2]) ** 0.5 * abs(cm[0] * cm[3] - cm[1] * cm[2]) ** 0.5
        for n, piece in enumerate(fragment.split("\n")):
            if n:
                end_line()
            if piece.strip() and current.x is None:
                current.x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                current.y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if piece.strip():
                current.size = max(current.size, font_size * scale)
            current.text += _CONTROL.sub("", piece)

    page.extract_text(visitor_text=visit)
    end_line()
    return [(line.text, line.size) for line in lines]


def _pdf_outline(pages: list[list[_Line]]) -> Outline:
    """Short lines set larger than the body text are headings, the largest size being level 1;
    consecutive heading lines of one size are one wrapped heading, unless the next is numbered.
    Body lines between headings are reflowed into paragraphs. The heading path carries across
    pages, as a section does."""
    sizes = Counter(round(size) for lines in pages for text, size in lines for _ in text)
    body = sizes.most_common(1)[0][0] if sizes else 0

    def is_heading(text: str, size: float) -> bool:
        return body > 0 and round(size) >= body * 1.15 and len(text) <= 120 and bool(_WORD.search(text))

    levels = sorted({round(s) for lines in pages for text, s in lines if is_heading(text, s)}, reverse=True)
    outline = Outline()
    for number, lines in enumerate(pages, 1):
        paragraph: list[str] = []
        heading, heading_size = "", None
        for text, size in lines:
            if not is_heading(text, size):
                paragraph.append(text)
                heading_size = None
                continue
            for line in reflow(paragraph, widest_wrap=math.inf):
                outline.add(line, number)
            paragraph.clear()
            wrapped = heading_size == round(size) and not LIST_OR_ROW.match(text)
            heading, heading_size = (f"{heading} {text}" if wrapped else text), round(size)
            outline.heading(levels.index(heading_size) + 1, heading)
        for line in reflow(paragraph, widest_wrap=math.inf):
            outline.add(line, number)
    return outline
