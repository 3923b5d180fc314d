"""The types every format parser shares: the result, its sections, the limits and the
one error that may leave the package, plus the outline that parsers fill as they read and
the one form every table row takes, whatever format it came from."""

import re
from dataclasses import dataclass, field

from ingestion.text import CELL_SEPARATOR


class ParseError(Exception):
    """Its message is the user-facing failure reason."""


@dataclass(frozen=True)
class ParseLimits:
    """What one upload may cost a worker; each limit reached is a refusal that names it."""

    max_bytes: int = 50 * 1024 * 1024  # upload size limit
    max_unzipped_bytes: int = 200 * 1024 * 1024  # zip-bomb guard for Office files (total uncompressed)
    max_compression_ratio: int = 100  # per-member guard, for members over zipcheck.RATIO_FLOOR
    max_pages: int = 2000  # PDF pages
    max_sheets: int = 50  # workbook sheets
    max_cells: int = 200_000  # non-empty cells across a workbook or CSV file
    max_slides: int = 500  # presentation slides
    ocr_enabled: bool = True  # scanned PDF pages and images, when tesseract is installed
    ocr_languages: str = "chi_sim+eng"  # tesseract language data to read with
    ocr_seconds_per_page: float = 60.0  # rendering and recognising one page or image
    max_ocr_pages: int = 100  # scanned pages in one PDF
    max_image_pixels: int = 60_000_000  # an image to OCR (a decompression-bomb guard too)


DEFAULT_LIMITS = ParseLimits()


@dataclass(frozen=True)
class Section:
    text: str  # one block: paragraph, list item, table row, or reflowed PDF lines
    heading: str  # heading path, "Leave policy > Annual leave" ("" if none)
    page: int | None  # 1-based for PDFs (and slides), None otherwise
    ocr: bool = False  # recognised from an image, not read from a text layer


@dataclass(frozen=True)
class ParsedDocument:
    detected_type: str  # pdf, docx, html, markdown, text, csv, xlsx, pptx, eml, odt, image
    title: str | None
    sections: list[Section]
    encoding: str | None = None  # of a text-based file (text, Markdown, HTML, CSV), as detected


@dataclass
class Outline:
    """The sections read so far and the heading path in force at the current point."""

    title: str | None = None
    sections: list[Section] = field(default_factory=list)
    encoding: str | None = None
    _path: list[tuple[int, str]] = field(default_factory=list)

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        while self._path and self._path[-1][0] >= level:
            self._path.pop()
        self._path.append((level, text))
        if level <= 1 and self.title is None:
            self.title = text

    def add(self, text: str, page: int | None = None, *, ocr: bool = False) -> None:
        text = text.strip()
        if text:
            self.sections.append(Section(text, " > ".join(name for _, name in self._path), page, ocr))

    def table(self, rows: list[list[str]], page: int | None = None, *, header: bool | None = None) -> None:
        for line in table_rows(rows, header=header):
            self.add(line, page)


# --- tables ---------------------------------------------------------------------------

_DIGIT = re.compile(r"\d")


def table_rows(rows: list[list[str]], *, header: bool | None = None) -> list[str]:
    """A table as lines of text, one a row, each row carrying its column headers:
    "City tier: Tier 1 · Examples: London, Paris · Limit per night: EUR 220", so that a row
    read (or chunked, or condensed) alone still says what its values are. `header` says
    whether the first row holds the column names; None guesses it (see `looks_like_header`).
    Cells repeated by a merge are kept once; a table without a header joins its cells."""
    grid = [[" ".join(cell.split()) for cell in row] for row in rows]
    grid = [row for row in grid if any(row)]
    if not grid:
        return []
    if header is None:
        header = looks_like_header(grid)
    if not header or len(grid) == 1:
        return [CELL_SEPARATOR.join(_unique(row)) for row in grid]
    names, lines = grid[0], []
    for row in grid[1:]:
        parts = []
        for column, value in enumerate(row):
            name = names[column] if column < len(names) else ""
            if value:
                parts.append(f"{name}: {value}" if name and name != value else value)
        lines.append(CELL_SEPARATOR.join(_unique(parts)))
    return lines


def _unique(cells: list[str]) -> list[str]:
    """Non-empty cells, each once where a merged cell repeats it across the grid."""
    kept: list[str] = []
    for cell in cells:
        if cell and (not kept or kept[-1] != cell):
            kept.append(cell)
    return kept


def looks_like_header(grid: list[list[str]]) -> bool:
    """Column names are short, distinct, without figures, and fill the first row (but for an
    empty corner above row labels). Two-column tables are usually "term | value" lists, whose
    first row is data: those need a format's own header mark (Markdown's rule, <th>, …)."""
    first = grid[0]
    names = first[1:] if first and not first[0] else first
    return (
        len(grid) > 1
        and len(first) >= 3
        and all(names)
        and len(set(names)) == len(names)
        and all(len(name) <= 60 and not _DIGIT.search(name) for name in names)
    )


def human_size(n: int) -> str:
    """A byte count as refusal messages show it: "50.0 MB"."""
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
