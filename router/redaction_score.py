"""Scores for de-identification against gold values (eval_redact and bench/redact.py)."""

import re
from collections.abc import Iterable
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")


@dataclass
class RedactionScore:
    structured_total: int = 0
    structured_gone: int = 0
    names_total: int = 0
    names_gone: int = 0
    other_words_total: int = 0
    other_words_destroyed: int = 0

    def add(self, original: str, redacted: str, gold: dict[str, str]) -> None:
        for kind, value in gold.items():
            gone = value not in redacted
            if kind == "name":
                self.names_total += 1
                self.names_gone += gone
            else:
                self.structured_total += 1
                self.structured_gone += gone
        masked = original
        for value in gold.values():
            masked = masked.replace(value, " ")
        remaining = _WORD.findall(redacted)
        for word in _WORD.findall(masked):
            self.other_words_total += 1
            if word in remaining:
                remaining.remove(word)
            else:
                self.other_words_destroyed += 1

    def as_dict(self) -> dict[str, float]:
        return {
            "structured_removed": _share(self.structured_gone, self.structured_total),
            "names_removed": _share(self.names_gone, self.names_total),
            "other_words_destroyed": _share(self.other_words_destroyed, self.other_words_total),
        }


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def score_all(rows: Iterable[tuple[str, str, dict[str, str]]]) -> dict[str, float]:
    score = RedactionScore()
    for original, redacted, gold in rows:
        score.add(original, redacted, gold)
    return score.as_dict()
