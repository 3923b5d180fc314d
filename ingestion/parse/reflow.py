"""Hard-wrapped lines back into whole lines, for the formats that store lines (text,
Markdown, PDF), so that sentence splitting and condensing see sentences, not the width of
someone's editor or PDF column."""

import itertools
import re

from ingestion.text import WIDE_CHAR, is_wide_char

_LINE_END = re.compile(r"[.!?。！？；：:;]['\")”’」』）]*$")
LIST_OR_ROW = re.compile(
    r"^\s*([-*+•·]\s|\d+(?:[.)]\s|、)|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\|)"
)


def reflow(lines: list[str], *, widest_wrap: float = 100) -> list[str]:
    """A line ends where it ends a sentence or is short, or where either is a list item or
    table row. Blocks whose lines are all short, or some longer than anyone wraps at, were
    not wrapped at all."""
    lines = [line.strip() for line in lines if line.strip()]
    full_width = max((_width(line) for line in lines), default=0)
    if not 40 <= full_width <= widest_wrap:
        return lines
    joined = [lines[0]]
    for previous, line in itertools.pairwise(lines):
        ends = _LINE_END.search(previous) or _width(previous) < 0.6 * full_width
        if ends or LIST_OR_ROW.match(line) or " | " in previous or " | " in line:
            joined.append(line)
        elif is_wide_char(previous[-1]) and is_wide_char(line[0]):
            joined[-1] += line  # Chinese wraps between characters, without a space
        else:
            joined[-1] += f" {line}"
    return joined


def _width(line: str) -> int:
    return len(line) + len(WIDE_CHAR.findall(line))  # a Chinese character is about two Latin wide
