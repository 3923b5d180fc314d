"""Spreadsheets (.xlsx): each visible sheet a section headed by its name, each row a line
with its column headers, formulas as the values Excel last computed. openpyxl is imported
inside the function, so that the web app does not load it. `add_grid` is shared with CSV."""

import datetime
import io
import re

from ingestion.parse.base import Outline, ParseError, ParseLimits

_DIGIT = re.compile(r"\d")
_PLACES = re.compile(r"\.(0+)")  # the decimal places a number format shows
_VISITED_PER_CELL = 50  # empty cells a sheet may make us step over, per cell allowed


def parse_xlsx(data: bytes, limits: ParseLimits) -> Outline:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl, zipfile and the XML parser raise many types on damaged parts
        raise ParseError(
            f"the Excel workbook is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    try:
        return _workbook_outline(workbook, limits)
    except ParseError:
        raise
    except Exception as exc:
        raise ParseError(
            f"the Excel workbook is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    finally:
        workbook.close()


def _workbook_outline(workbook, limits: ParseLimits) -> Outline:
    """Hidden sheets are left out: they hold lookups and scratch work, not what readers see."""
    sheets = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    if len(sheets) > limits.max_sheets:
        raise ParseError(f"the workbook has {len(sheets)} sheets, over the limit of {limits.max_sheets}")
    outline = Outline(title=(workbook.properties.title or "").strip() or None)
    budget = _CellBudget(limits)
    for sheet in sheets:
        sheet.reset_dimensions()  # trust the cells, not the size the file declares
        rows = []
        for row in sheet.iter_rows():
            budget.visit(len(row))
            values = [_value(cell) for cell in row]
            budget.count(sum(1 for value in values if value))
            rows.append(values)
        outline.heading(1, sheet.title)
        add_grid(outline, rows)
    return outline


class _CellBudget:
    def __init__(self, limits: ParseLimits) -> None:
        self.limit, self.cells, self.visited = limits.max_cells, 0, 0

    def count(self, cells: int) -> None:
        self.cells += cells
        if self.cells > self.limit:
            raise ParseError(f"the file has more than {self.limit:,} filled cells, over the limit")

    def visit(self, cells: int) -> None:
        self.visited += cells
        if self.visited > self.limit * _VISITED_PER_CELL:
            raise ParseError(
                f"the sheets span more than {self.limit * _VISITED_PER_CELL:,} cells, over the limit"
            )


def _value(cell) -> str:
    """A cell as Excel shows it, near enough: dates as dates, percentages and thousands kept."""
    value = getattr(cell, "value", None)
    fmt = str(getattr(cell, "number_format", "") or "")
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return (
            value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ", "minutes")
        )
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float):
        return _number(value, fmt)
    return " ".join(str(value).split())


def _number(value: float, fmt: str) -> str:
    places = _PLACES.search(fmt)
    decimals = len(places.group(1)) if places else 0
    if "%" in fmt:
        return f"{value * 100:.{decimals}f}%"
    if "#,##0" in fmt:
        return f"{value:,.{decimals}f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:.10g}" if isinstance(value, float) else str(value)


def add_grid(outline: Outline, rows: list[list[str]], page: int | None = None) -> None:
    """A sheet's rows: blank rows split it into blocks; lone cells before a block are its
    caption; a block whose first row is labels starts a table with that header, and a block
    that is not carries on the table above it (blank rows used as spacing)."""
    rows = _trimmed(rows)
    header: list[str] | None = None
    for block in _blocks(rows):
        while block and sum(1 for cell in block[0] if cell) == 1 and (len(block) > 1 or header is None):
            outline.add(next(cell for cell in block[0] if cell), page)
            block = block[1:]
        if not block:
            continue
        if _labels(block[0]) and len(block) > 1:
            header, block = block[0], block[1:]
        if header is None:
            outline.table(block, page, header=False)
        else:
            outline.table([header, *block], page, header=True)


def _trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Without the empty columns on the left (sheets often start in column B) and on the right."""
    filled = [[n for n, cell in enumerate(row) if cell] for row in rows]
    first = min((cells[0] for cells in filled if cells), default=0)
    return [row[first : cells[-1] + 1] if cells else [] for row, cells in zip(rows, filled, strict=True)]


def _blocks(rows: list[list[str]]) -> list[list[list[str]]]:
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if any(row):
            blocks[-1].append(row)
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _labels(row: list[str]) -> bool:
    """Column names: two or more, distinct, text without figures."""
    names = [cell for cell in row if cell]
    return len(names) >= 2 and len(set(names)) == len(names) and not any(_DIGIT.search(n) for n in names)
