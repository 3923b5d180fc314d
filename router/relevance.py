"""Whether anything the user may read speaks to the question at all: the line between an
answer and an honest "not found".

Four signals, because each fails alone: the embedder's cosine of the best chunk (meaning,
across languages too); its margin over the next few (a question the documents answer has
one chunk that stands out, an unanswerable one a flat field of half-matches); the question's
coverage: the share of its words, weighted by how rare they are among the nearest chunks,
found in one of the best few (names, terms and numbers the knowledge base either holds or
does not); and the same coverage across languages, each word through its translations
(router.bilingual), since a Chinese question over English documents shares no word with
them. A question is answerable when its best cosine is sure on its own, or passes the floor
with enough coverage in either form or enough margin. The numbers are calibrated on data by
bench/notfound.py (docs/benchmarks.md), per script, since Chinese is matched as character
bigrams and English as words.
"""

import math
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ingestion.text import CJK_CHAR
from router.bilingual import holds, question_units
from router.lexical import terms

NEAREST_CHUNKS = 40  # what retrieval reranks and coverage weighs words among; dense recall@40 ≈ 1
COVERAGE_PASSAGES = 5  # coverage is the best of the nearest few, not of all of them
MARGIN_CHUNKS = 9  # the best cosine's margin is over the mean of the next nine
# Once a question is answerable, a chunk is evidence if its cosine is at least this share of
# the best one's. On xquad_dev (USE) 0.7 keeps the gold among the top 5 as often as no cut
# does (96.9 % English, 96.1 % Chinese vs 96.9 / 96.5 %) and leaves 4.5 chunks a question
# instead of all 40: weak matches (a restricted note, another policy) stay out of the context.
RELATIVE_FLOOR = 0.7


@dataclass(frozen=True)
class RelevanceRule:
    floor: float  # below this cosine nothing counts
    min_coverage: float  # between floor and sure, the question's words must be found
    min_margin: float  # or it must stand out from the next MARGIN_CHUNKS by this much
    sure: float  # at or above this cosine, the meaning match alone is enough
    min_translated: float  # or its words, through their translations, must be found

    def answerable(
        self, cosine: float, coverage: float, margin: float, translated: Callable[[], float]
    ) -> bool:
        """`translated` is called only when the other signals leave it open: it is the dearest."""
        if cosine >= self.sure:
            return True
        if cosine < self.floor:
            return False
        return (
            coverage >= self.min_coverage or margin >= self.min_margin or translated() >= self.min_translated
        )


# bench/notfound.py, use-multilingual-v3, 2026-12-03: the most "not found" answers to
# unanswerable questions that still answers ≥ 97 % of answerable ones in the question's own
# language (xquad_dev over both languages; cmrc_trial too for Chinese) and ≥ 90 % across
# languages, also when the index holds nothing but the question's own article.
RULES = {
    "latin": RelevanceRule(floor=0.17, min_coverage=0.45, min_margin=0.1, sure=0.29, min_translated=0.35),
    "cjk": RelevanceRule(floor=0.11, min_coverage=0.1, min_margin=0.12, sure=0.29, min_translated=0.4),
}


def margin(cosines: Sequence[float]) -> float:
    """How far the best cosine (cosines sorted, best first) stands above the next few."""
    if not cosines:
        return 0.0
    following = cosines[1 : 1 + MARGIN_CHUNKS]
    return float(cosines[0]) - (sum(following) / len(following) if following else 0.0)


def rule_for(question: str) -> RelevanceRule:
    return RULES["cjk" if CJK_CHAR.search(question) else "latin"]


def coverage(question: str, nearest: Sequence[Sequence[str]]) -> float:
    """The share of the question's words (rarer ones weigh more, by their frequency among
    the `nearest` chunks' `terms`, best first) that one of the first COVERAGE_PASSAGES holds."""
    wanted = list(dict.fromkeys(terms(question)))
    if not wanted or not nearest:
        return 0.0
    return _best_share(wanted, [set(words) & set(wanted) for words in nearest])


def translated_coverage(
    question: str, nearest: Sequence[str], nearest_terms: Sequence[Sequence[str]]
) -> float:
    """coverage() with each word found through its translations too (router.bilingual), over
    the `nearest` chunks' texts and their `terms`, best first."""
    units = question_units(question)
    if not units or not nearest:
        return 0.0
    held = []
    for text, words in zip(nearest, nearest_terms, strict=True):
        present = frozenset(words)
        held.append({unit.label for unit in units if holds(unit, text, present)})
    return _best_share([unit.label for unit in units], held)


def _best_share(wanted: Sequence[str], held: Sequence[set[str]]) -> float:
    """The best share of the `wanted` labels among the first COVERAGE_PASSAGES of `held`, each
    label weighing by its rarity among all of them (BM25's idf)."""
    frequency = Counter(label for labels in held for label in labels)
    count = len(held)
    weight = {w: math.log(1 + (count - frequency[w] + 0.5) / (frequency[w] + 0.5)) for w in wanted}
    total = sum(weight.values())
    return max(sum(weight[w] for w in labels) / total for labels in held[:COVERAGE_PASSAGES])
