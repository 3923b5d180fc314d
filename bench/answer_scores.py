"""Answer scores against gold spans: SQuAD's F1 and exact match (its normalisation for English,
characters for Chinese), and whether the gold answer is contained at all.

Answers are scored as a reader gets them, minus what is not content: citation markers, and
for quoted answers the intro line and the quote marks. Quoted answers are long, so their F1
is low even when they hold the answer: `contained` says whether they do.
"""

import re
import string
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from router.answers import draft_lead  # the project, for a bench run as a script

_CITATIONS = re.compile(r"\[\d+(?:\s*[,，、]\s*\d+)*\]")
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_QUOTE_MARK = re.compile(r"^\s*>\s?", re.MULTILINE)


@dataclass(frozen=True)
class Score:
    f1: float
    exact: bool
    contained: bool


def answer_text(answer: str) -> str:
    """What of an answer is content: no citation markers; a quoted answer without its intro
    line (the first line, when quotes follow it) and without its quote marks."""
    lines = answer.strip().splitlines()
    if (
        len(lines) > 1
        and not lines[0].lstrip().startswith(">")
        and any(line.lstrip().startswith(">") for line in lines[1:])
    ):
        lines = lines[1:]
    return _CITATIONS.sub("", _QUOTE_MARK.sub("", "\n".join(lines))).strip()


# What introduces the local model's checked draft below the quotes, in either language.
DRAFT_LEADS = tuple(draft_lead(question).strip() for question in ("Why?", "为什么？"))


def short_answer(answer: str) -> str:
    """The local route's short answer: its draft below the quotes ("In short: …"), which a
    reader takes as the answer, the quotes above being its evidence; else the whole answer."""
    for lead in DRAFT_LEADS:
        if lead in answer:
            return answer.split(lead, 1)[1]
    return answer


def tokens(text: str, lang: str) -> list[str]:
    """SQuAD's normalisation for English (lower case, no punctuation, no articles), split on
    white space; for Chinese every character but punctuation and spaces, as CMRC counts."""
    if lang == "zh":
        return [c for c in text.lower() if not c.isspace() and not _is_punctuation(c)]
    lowered = "".join(c for c in text.lower() if c not in string.punctuation)
    return _ARTICLES.sub(" ", lowered).split()


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith(("P", "S"))


def f1(prediction: list[str], gold: list[str]) -> float:
    common = sum((Counter(prediction) & Counter(gold)).values())
    if common == 0:
        return 0.0
    precision, recall = common / len(prediction), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def score(answer: str, golds: Sequence[str], lang: str) -> Score:
    """The best over the gold answers, as SQuAD scores several."""
    predicted = tokens(answer_text(answer), lang)
    joined = _joined(predicted, lang)
    best_f1, exact, contained = 0.0, False, False
    for gold in golds:
        expected = tokens(gold, lang)
        if not expected:
            continue
        best_f1 = max(best_f1, f1(predicted, expected))
        exact = exact or predicted == expected
        contained = contained or _joined(expected, lang) in joined
    return Score(round(best_f1, 4), exact, contained)


def _joined(words: list[str], lang: str) -> str:
    """Tokens as one string where containment respects word edges (English) or not (Chinese)."""
    return "".join(words) if lang == "zh" else f" {' '.join(words)} "
