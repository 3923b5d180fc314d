"""PDF: the text layer with its font sizes, from which headings, reflowed paragraphs and
table rows are recovered; pages that are scans (images over most of the page and next to no
text, such as a stamp or an image's label) are read by OCR when the server has it. pypdf is imported inside the functions, so that the web
app does not load it."""

import io
import math
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingestion.parse.base import Outline, ParseError, ParseLimits, looks_like_header
from ingestion.parse.detect import pdf_start
from ingestion.parse.ocr import ocr_pdf_page, ocr_unavailable_reason
from ingestion.parse.pdf_images import image_coverage
from ingestion.parse.reflow import LIST_OR_ROW, reflow

SCAN_TEXT_FLOOR = 40  # word characters: fewer on a page with a scan, and its text is only a stamp
SCAN_MIN_COVERAGE = 0.5  # of the page's area drawn over by images: a scan, not a logo or photo


def parse_pdf(data: bytes, limits: ParseLimits) -> Outline:
    data = data[max(pdf_start(data), 0) :]  # bytes before the header (a BOM…) as readers skip them
    if b"%%EOF" not in data[-2048:]:
        raise ParseError("the PDF is incomplete (it has no end-of-file marker); it was probably truncated")
    pages, scans, metadata_title = _read_pdf(data, limits)
    scanned = [n for n, scan in enumerate(scans, 1) if scan]
    has_text = any(_word_chars(lines) for n, lines in enumerate(pages, 1) if n not in scanned)
    recognised: dict[int, list[str]] = {}
    if scanned:
        reason = ocr_unavailable_reason(limits)
        if reason and not has_text:
            raise ParseError(f"the PDF has no text layer (it is a scan) and {reason}; upload a PDF with text")
        if not reason:
            recognised = _ocr(data, scanned, limits)
    elif not has_text:
        raise ParseError("the PDF has no text layer and no scanned pages: there is no text to read")
    if scanned and not has_text and not any(recognised.values()):
        raise ParseError(
            f"the PDF has no text layer, and OCR found no text on its {len(scanned)} scanned "
            f"page{'s' * (len(scanned) > 1)}; upload a PDF with text or a clearer scan"
        )
    for number in scanned:
        pages[number - 1] = []  # a stamp ("Scanned with …") or label gives way to the page's OCR
    outline = _pdf_outline(pages, recognised)
    outline.title = outline.title if _placeholder_title(metadata_title) else metadata_title
    return outline


def _word_chars(lines: list["_Line"]) -> int:
    return sum(len(_WORD.findall(text)) for text, _ in lines)


def _ocr(data: bytes, scanned: list[int], limits: ParseLimits) -> dict[int, list[str]]:
    if len(scanned) > limits.max_ocr_pages:
        raise ParseError(
            f"the PDF has {len(scanned)} scanned pages, over the limit of {limits.max_ocr_pages} pages for OCR"
        )
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(data)
        return {number: ocr_pdf_page(path, number, limits) for number in scanned}


def _placeholder_title(title: str | None) -> bool:
    """What PDF tools write when nobody set a title; the first heading says more."""
    return not title or title.lower() in {"untitled", "(anonymous)"} or title.startswith("Microsoft Word - ")


_Line = tuple[str, float]  # the text of one line and its largest font size


def _read_pdf(data: bytes, limits: ParseLimits) -> tuple[list[list[_Line]], list[bool], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still reads
            raise ParseError("the PDF is encrypted; upload an unprotected copy")
        if len(reader.pages) == 0:
            raise ParseError("the PDF has no pages")
        if len(reader.pages) > limits.max_pages:
            raise ParseError(
                f"the PDF has {len(reader.pages):,} pages, over the limit of {limits.max_pages:,}"
            )
        pages = [_pdf_lines(page) for page in reader.pages]
        scans = [_is_scan(page, lines) for page, lines in zip(reader.pages, pages, strict=True)]
        title = reader.metadata.title if reader.metadata else None
    except ParseError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ParseError("the PDF is encrypted; upload an unprotected copy") from exc
    except Exception as exc:  # pypdf fails in many ways on damaged files; each is a damaged PDF here
        raise ParseError(f"the PDF is damaged and cannot be read ({exc.__class__.__name__})") from exc
    return pages, scans, (str(title).strip() or None) if title else None


def _is_scan(page, lines: list[_Line]) -> bool:
    """Next to no text over images that cover most of the page (coverage is only worked out
    for pages short of text: it reads the page's drawing operations once more)."""
    return _word_chars(lines) < SCAN_TEXT_FLOOR and image_coverage(page) >= SCAN_MIN_COVERAGE


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


def _pdf_outline(pages: list[list[_Line]], recognised: dict[int, list[str]]) -> Outline:
    """Short lines set larger than the body text are headings, the largest size being level 1;
    consecutive heading lines of one size are one wrapped heading, unless the next is numbered.
    Body lines between headings are reflowed into paragraphs, and runs of table rows get their
    header. The heading path carries across pages, as a section does; so does a table's header
    when the table goes on on the next page. Scanned pages' OCR text has no sizes: it is body text."""
    sizes = Counter(round(size) for lines in pages for text, size in lines for _ in text)
    body = sizes.most_common(1)[0][0] if sizes else 0

    def is_heading(text: str, size: float) -> bool:
        return body > 0 and round(size) >= body * 1.15 and len(text) <= 120 and bool(_WORD.search(text))

    levels = sorted({round(s) for lines in pages for text, s in lines if is_heading(text, s)}, reverse=True)
    outline = Outline()
    tables = _Tables(outline)
    for number, lines in enumerate(pages, 1):
        for recognised_text in recognised.get(number, []):
            outline.add(recognised_text, number, ocr=True)
        paragraph: list[str] = []
        heading, heading_size = "", None
        for text, size in lines:
            if not is_heading(text, size):
                paragraph.append(text)
                heading_size = None
                continue
            tables.add(reflow(paragraph, widest_wrap=math.inf), number)
            paragraph.clear()
            wrapped = heading_size == round(size) and not LIST_OR_ROW.match(text)
            heading, heading_size = (f"{heading} {text}" if wrapped else text), round(size)
            outline.heading(levels.index(heading_size) + 1, heading)
            tables.header = None
        tables.add(reflow(paragraph, widest_wrap=math.inf), number)
    return outline


_ROW = " | "  # how _pdf_lines joins the cells it finds at one height


class _Tables:
    """Writes body lines to the outline, each run of table rows through Outline.table."""

    def __init__(self, outline: Outline) -> None:
        self.outline = outline
        self.header: list[str] | None = None  # of the table the last page ended in

    def add(self, lines: list[str], page: int) -> None:
        run: list[list[str]] = []
        for n, line in enumerate(lines):
            if _ROW in line:
                run.append(line.split(_ROW))
                continue
            self._table(run, page, continues=n == len(run))
            run = []
            self.outline.add(line, page)
            self.header = None
        self._table(run, page, continues=len(run) == len(lines))

    def _table(self, run: list[list[str]], page: int, *, continues: bool) -> None:
        if not run:
            return
        header = self.header
        if continues and header and len(header) == len(run[0]) and run[0] != header:
            self.outline.table([header, *run], page, header=True)  # the rest of last page's table
            return
        self.outline.table(run, page)
        self.header = run[0] if looks_like_header(run) else None
