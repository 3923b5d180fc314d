"""What condensing ranks and keeps, read off a chunk's lines.

A chunk is a run of lines (parsing ends a line at every paragraph, list item and table
row). Most lines are prose and split into sentences; three kinds of line are not plain
sentences, and an answer built from them must respect that:
- a table row ("Amount: Over EUR 50,000 · Approver: Chief Financial Officer") is one unit
  with its column names (`split_sentences` never splits it), and the question's words found
  among its values say which row it asks for; where parsing left the names in a first row
  of their own, each row below gets them back, and the names alone are not an answer;
- a heading or title line says what follows, not the answer: it is context, never kept,
  and the lines under it are read with it;
- a list's items are read through their lead-in line ("…需要携带以下材料："), so an item
  is kept with its lead-in, and a kept lead-in brings its items; the sentence just before a
  table is its rows' lead-in too, but never an answer alone.
Positions stay those of `split_sentences` over the whole text, which ingestion's stored
sentence vectors are aligned with.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from ingestion.text import CELL_SEPARATOR, is_lead_in, looks_like_heading, split_sentences

# A list runs for at most this many lines after its lead-in.
MAX_LIST_ITEMS = 20
MAX_COLUMN_NAME = 40

_ITEM_MARK = re.compile(
    r"^\s*(?:(?P<bullet>[-*+•·▪–]\s)|\d+[.)、]\s?|[（(]?[一二三四五六七八九十\d]+[)）、])"
)


@dataclass(frozen=True)
class Unit:
    chunk_id: str
    position: int  # index in split_sentences(passage.text)
    text: str
    passage: int  # index of its passage
    answer: bool = True  # False for a heading or title line: context, never kept
    row: bool = False  # a table row with its column names
    lead_in: int | None = None  # for a list item: the index (in the unit list) of its lead-in
    section: int | None = None  # the index of the heading line it is under, in its passage


class Chunk(Protocol):
    """What units are read from: `router.condense.Passage` (read-only, as it is frozen)."""

    @property
    def chunk_id(self) -> str: ...

    @property
    def text(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def heading(self) -> str: ...


def passage_units(passages: Sequence[Chunk]) -> list[Unit]:
    """The units of the passages given (each chunk once), in order; a line that repeats the
    passage's title or a level of its heading is a heading."""
    units: list[Unit] = []
    seen: set[str] = set()
    for index, passage in enumerate(passages):
        if passage.chunk_id in seen:
            continue
        seen.add(passage.chunk_id)
        names = _names(passage.title, passage.heading)
        units += _lines(passage.chunk_id, passage.text, index, names, start=len(units))
    return units


def _lines(chunk_id: str, text: str, passage: int, names: set[str], *, start: int) -> list[Unit]:
    """One passage's units; `start` is the index its first unit will have in the unit list."""
    units: list[Unit] = []
    lead_in: int | None = None  # the open list's lead-in, while its items run
    items: list[str] = []  # the open list's item lines so far
    columns: list[str] = []  # the column names of a table whose rows came without them
    section: int | None = None  # the last heading line so far
    lines = [sentences for sentences in map(split_sentences, text.splitlines()) if sentences]
    previous_prose = False  # the line before was one sentence that may answer, not a row
    for number, sentences in enumerate(lines):
        line = " ".join(sentences)
        tabular = len(_cells(line)) >= 2
        if tabular and lead_in is None and previous_prose:
            # A table's caption ("Who approves a claim depends on its amount.") says what its
            # rows are about, as a lead-in does; read alone it only repeats the question.
            units[-1] = replace(units[-1], answer=False)
            lead_in, items = start + len(units) - 1, []
        in_list = lead_in is not None and _continues_list(items, line, len(sentences))
        followed = number + 1 < len(lines)
        names_only = followed and _column_names(line)
        # The title or the chunk's own heading is about every line of the chunk alike; a
        # heading line within it opens a section that only the lines under it belong to.
        opens_section = not in_list and followed and looks_like_heading(line)
        heading = _normalised(line) in names or opens_section
        if columns and not names_only:
            sentences = [_labelled(columns, s) for s in sentences]
        for sentence in sentences:
            row = CELL_SEPARATOR in sentence
            answer = not (heading or names_only)
            item_of = lead_in if in_list else None
            units.append(Unit(chunk_id, len(units), sentence, passage, answer, row, item_of, section))
        if opens_section and _normalised(line) not in names:
            section = start + len(units) - 1
        if names_only:
            columns = _cells(line)
        elif not tabular:
            columns = []
        previous_prose = len(sentences) == 1 and not (tabular or heading)
        items = [*items, line] if in_list else []
        if is_lead_in(line):
            lead_in = start + len(units) - 1
        elif not in_list:
            lead_in = None
    return units


def _column_names(line: str) -> bool:
    """A table's first row read as data ("Amount · Approver", "Grade | Hotel"): short cells
    without labels or figures. Parsing could not tell it named the columns (a two-column
    table, unmarked, or one it did not recognise as a table)."""
    cells = _cells(line)
    return len(cells) >= 2 and all(
        cell and len(cell) <= MAX_COLUMN_NAME and ": " not in cell and not re.search(r"\d", cell)
        for cell in cells
    )


def _labelled(columns: list[str], row: str) -> str:
    """A row with its column names ("Amount: Over EUR 50,000 · Approver: …"), when it has a
    value for each column and no names of its own."""
    cells = _cells(row)
    if len(cells) != len(columns) or any(": " in cell for cell in cells):
        return row
    return CELL_SEPARATOR.join(f"{name}: {value}" for name, value in zip(columns, cells, strict=True))


def _continues_list(items: list[str], line: str, sentences: int) -> bool:
    """An item is one sentence on its line, marked like the list's first item ("- ", "1.",
    "一、") or, when that had no mark (Markdown drops it), unmarked too."""
    if sentences > 1 or len(items) >= MAX_LIST_ITEMS:
        return False
    return not items or _item_mark(items[0]) == _item_mark(line)


def _item_mark(line: str) -> str:
    """The kind of mark a list item opens with: "bullet", "number" or ""."""
    match = _ITEM_MARK.match(line)
    if not match:
        return ""
    return "bullet" if match.group("bullet") else "number"


def _cells(line: str) -> list[str]:
    """A row's cells, as parsing separates them or as a text table does ("a | b")."""
    separator = CELL_SEPARATOR if CELL_SEPARATOR in line else " | "
    return [cell.strip() for cell in line.split(separator)]


def _names(*names: str) -> set[str]:
    """The title and each level of the heading path, normalised."""
    return {_normalised(part) for name in names if name for part in [name, *name.split(" > ")]}


def _normalised(text: str) -> str:
    return " ".join(text.lower().split()).strip(" :：.。")
