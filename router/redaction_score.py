"""Scores for de-identification against gold values (eval_redact and bench/redact.py).

Gold values come as `{kind: value}` or `{kind: [value, …]}`. A value counts as leaked whole
when it appears unchanged in the output, and as leaked in part when a piece of it of four
letters or digits does (the leak benchmarks' rule: "Dean" left of "Jacob Dean", the local part
of an e-mail) more often than in the text around the value; removed is the opposite of leaked whole. Kinds named in `SECRET_GOLD_KINDS`
are secrets, every other kind personal data. Collateral damage is the share of the other words
of the text that did not survive.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

_WORD = re.compile(r"[A-Za-z0-9]+|[\u4e00-\u9fff]")
_PIECE = 4
SECRET_GOLD_KINDS = frozenset((
    "secret", "password", "api_key", "aws_key", "aws_secret", "gcp_key", "azure_key", "private_key", "ssh_key",
    "token", "jwt", "bearer", "connection_string", "url_credentials", "high_entropy", "hostname",
))  # fmt: skip


@dataclass
class _Tally:
    values: int = 0
    leaked_whole: int = 0
    leaked_piece: int = 0  # whole or in part

    def add(self, whole: bool, piece: bool) -> None:
        self.values += 1
        self.leaked_whole += whole
        self.leaked_piece += whole or piece

    def as_dict(self) -> dict[str, float | int]:
        return {
            "values": self.values,
            "removed": _share(self.values - self.leaked_whole, self.values),
            "leaked_whole": _share(self.leaked_whole, self.values),
            "leaked_piece": _share(self.leaked_piece, self.values),
        }


@dataclass
class RedactionScore:
    by_kind: dict[str, _Tally] = field(default_factory=dict)
    other_words_total: int = 0
    other_words_destroyed: int = 0

    def add(self, original: str, redacted: str, gold: dict[str, str | list[str]]) -> None:
        values = [(kind, value) for kind, v in gold.items() for value in ([v] if isinstance(v, str) else v)]
        for kind, value in values:
            whole = value in redacted
            self.by_kind.setdefault(kind, _Tally()).add(
                whole, not whole and _piece_left(value, original, redacted)
            )
        masked = original
        for _, value in sorted(values, key=lambda kv: len(kv[1]), reverse=True):
            masked = masked.replace(value, " ")
        remaining = _WORD.findall(redacted)
        for word in _WORD.findall(masked):
            self.other_words_total += 1
            if word in remaining:
                remaining.remove(word)
            else:
                self.other_words_destroyed += 1

    def as_dict(self) -> dict:
        names = self._total(lambda kind: kind == "name")
        structured = self._total(lambda kind: kind != "name" and kind not in SECRET_GOLD_KINDS)
        personal = self._total(lambda kind: kind not in SECRET_GOLD_KINDS)
        secrets = self._total(lambda kind: kind in SECRET_GOLD_KINDS)
        result: dict[str, object] = {
            "structured_removed": structured.as_dict()["removed"],
            "names_removed": names.as_dict()["removed"],
            "other_words_destroyed": _share(self.other_words_destroyed, self.other_words_total),
        }
        if secrets.values:
            result["secrets_removed"] = secrets.as_dict()["removed"]
        result["leaks"] = {
            "personal": {k: v for k, v in personal.as_dict().items() if k != "removed"},
            "secrets": {k: v for k, v in secrets.as_dict().items() if k != "removed"},
        }
        result["by_kind"] = {kind: tally.as_dict() for kind, tally in sorted(self.by_kind.items())}
        return result

    def _total(self, wanted) -> _Tally:
        total = _Tally()
        for kind, tally in self.by_kind.items():
            if wanted(kind):
                total.values += tally.values
                total.leaked_whole += tally.leaked_whole
                total.leaked_piece += tally.leaked_piece
        return total


def _piece_left(value: str, original: str, redacted: str) -> bool:
    """A piece counts when the output holds it more often than the text around the value did:
    "ward" of "Edwards" is no leak in "forward"."""
    around = original.replace(value, " ")
    pieces = {value[i : i + _PIECE] for i in range(len(value) - _PIECE + 1)}
    return any(p.isalnum() and redacted.count(p) > around.count(p) for p in pieces)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def score_all(rows: Iterable[tuple[str, str, dict]]) -> dict:
    score = RedactionScore()
    for original, redacted, gold in rows:
        score.add(original, redacted, gold)
    return score.as_dict()
