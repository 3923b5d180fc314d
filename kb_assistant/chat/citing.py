"""Which sources an answer cites: only those are listed under it.

Answers mark what they use as [n] (also [1, 2] or [1][2]); a source the answer never
marks was only read, not used, and a not-found, refusal or small-talk answer marks none.
The page's script applies the same rule while the answer streams (static/chat.js)."""

import re
from collections.abc import Iterable
from typing import Any

_MARK = re.compile(r"\[(\d+(?:\s*[,，、]\s*\d+)*)\]")
_NUMBER = re.compile(r"\d+")


def cited_numbers(answer: str) -> set[int]:
    return {int(n) for mark in _MARK.findall(answer) for n in _NUMBER.findall(mark)}


def cited_only(citations: Iterable[dict[str, Any]], answer: str) -> list[dict[str, Any]]:
    """The citations the answer marks, in their order."""
    numbers = cited_numbers(answer)
    return [c for c in citations if c.get("number") in numbers]
