"""Query-focused compression: keep the sentences of the retrieved chunks that answer the
question, each with a citation to its chunk, within a token budget.

The cloud receives this, never the raw chunks. Sentence embeddings are normally computed at
ingestion time and passed in (`sentence_vectors`, aligned with `ingestion.text.split_sentences`,
which both sides call), so a request only embeds the question.

A sentence's score mixes signals that each catch what the others miss:
- cosine similarity of the sentence and the question (meaning, paraphrase);
- BM25 over the sentences given, relative to the best one (rare shared words: names,
  numbers, terms of art — what a small embedding model blurs); Chinese as character bigrams;
- cosine similarity of the question and the sentence's whole chunk (its topic);
- a sentence opening with "It/They/This…" inherits half of its predecessor's match;
- a small boost when it holds what the question asks for (a date for "when"…);
- for a table row, a boost by the share of the question's words found among its values
  ("over EUR 50,000", "London"), which a lead-in that only repeats the question lacks;
- part of the BM25 match of the heading line it stands under ("一、入职第一天").
The units are those of `router.units`: a table row is one, a heading is never kept, a list
item comes with its lead-in line and a kept lead-in with its items.
The best sentence is always kept; the others while their score stays within a fixed gap of
the best and the budget holds, so a clear answer costs one sentence and a diffuse one more.
A multi-part question (`router.parts`) is ranked part by part and the parts take turns.
"""

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, zip_longest

import numpy as np

from ingestion.embed import Embedder
from ingestion.text import CELL_SEPARATOR, CJK_IDEOGRAPHS, is_lead_in, is_wide_char, split_sentences
from router.lexical import bm25, terms
from router.parts import question_parts
from router.units import Unit, passage_units

LEXICAL_WEIGHT = 0.5
PASSAGE_WEIGHT = 0.3
# Sentences scoring more than this below the best are dropped. On the scale above (roughly
# 0–1.8) it keeps the runner-up sentences that are nearly as good and cuts the rest.
SCORE_GAP = 0.28
ANSWER_TYPE_BOOST = 0.1
ROW_VALUE_WEIGHT = 0.4
HEADING_WEIGHT = 0.3
CARRY_OVER = 0.5
GAP_MARKER = " … "
# The name under which eval_condense and its callers align sentence vectors with passages.
split_sentences_for_condense = split_sentences

_LATIN_WORD = re.compile(r"[^\W_]+")
_CONTINUES = re.compile(
    r"(it|its|this|these|that|those|they|their|he|his|she|her|there|such|the latter)\b|[它其这该此他她牠]",
    re.I,
)
_DATE = re.compile(
    r"\b(1\d{3}|20\d{2})s?\b|\b(january|february|march|april|may|june|july|august|september|october|"
    r"november|december|century|centuries)\b|\d+\s*[年月日]|[年月]份?|星期|周[一二三四五六日]",
    re.I,
)
_NUMBER = re.compile(
    r"\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozen|half|percent)\b|[一二三四五六七八九十百千万亿两半]",
    re.I,
)
# An enumeration on one line, "…以下材料：身份证原件、学历证书、…": its lead before the colon.
_ENUMERATION = re.compile(r"^(?P<lead>[^:：]{2,60})[:：]\s*(?=(?:[^、,，;；]+[、,，;；]){2})")
_ANSWER_TYPES: list[tuple[re.Pattern, Callable[[str, set[str]], bool]]] = [
    (
        re.compile(
            r"\bwhen\b|\bwhat (year|date|day|month|century|decade)\b|什么时候|哪一?年|几月|哪天|何时", re.I
        ),
        lambda text, _: bool(_DATE.search(text)),
    ),
    (
        re.compile(
            r"\bhow (many|much|long|old|large|big|far|high|tall|often)\b|\bwhat (percentage|number|amount)\b"
            r"|多少|几[天个次年月人岁]|多久|多长|多大|多高|多远|多重|第几",
            re.I,
        ),
        lambda text, _: bool(_NUMBER.search(text)),
    ),
    (re.compile(r"\b(who|whom|whose)\b", re.I), lambda text, words: _has_new_name(text, words)),
    # "哪些材料", "what documents do I need": a list, whether on one line or introduced by one.
    (
        re.compile(r"哪些|哪几|有什么|\bwhat\b.{0,40}\b(need|bring|include|required)\b|\blist\b", re.I),
        lambda text, _: bool(_ENUMERATION.match(text)) or is_lead_in(text),
    ),
]


# One vector per sentence of a chunk: lists from the index, or an array from a batch.
SentenceVectors = Sequence[Sequence[float]] | np.ndarray


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk."""

    chunk_id: str
    text: str
    title: str = ""
    heading: str = ""  # the chunk's heading path: a line that repeats it is not an answer


@dataclass(frozen=True)
class Kept:
    chunk_id: str
    text: str
    score: float
    position: int = 0  # the sentence's index in its chunk
    part: int = 0  # the part of the question it was kept for (see router.parts)
    rank: int = 0  # the turn it was kept in, 0 for the best; a lead-in or list item shares its anchor's


@dataclass(frozen=True)
class CondensedContext:
    kept: list[Kept]  # by passage (in the order given), then by position in the passage
    source_chars: int  # characters of all passages given
    titles: dict[str, str] = field(default_factory=dict)  # chunk id → title

    def citation_key(self) -> dict[int, str]:
        """[n] → chunk id, numbered in reading order."""
        key: dict[int, str] = {}
        for kept in self.kept:
            if kept.chunk_id not in key.values():
                key[len(key) + 1] = kept.chunk_id
        return key

    def citation_titles(self) -> dict[int, str]:
        """[n] → the chunk's title ("" when it has none)."""
        return {n: self.titles.get(chunk_id, "") for n, chunk_id in self.citation_key().items()}

    def render(self) -> str:
        """Plain text, one line per cited chunk: "[1] sentence sentence … later sentence";
        neighbouring sentences are joined as the source joins them (Chinese without a space),
        so that what spans both reads as it was written."""
        numbers = {chunk_id: n for n, chunk_id in self.citation_key().items()}
        lines: list[str] = []
        for chunk_id, n in numbers.items():
            pieces = [k for k in self.kept if k.chunk_id == chunk_id]
            text = pieces[0].text
            for previous, current in pairwise(pieces):
                neighbours = current.position == previous.position + 1
                joiner = ("" if is_wide_char(previous.text[-1]) else " ") if neighbours else GAP_MARKER
                text += joiner + current.text
            lines.append(f"[{n}] {text}")
        return "\n".join(lines)


def condense(
    question: str,
    passages: Sequence[Passage],
    *,
    budget_tokens: int,
    embedder: Embedder,
    sentence_vectors: Mapping[str, SentenceVectors] | None = None,
) -> CondensedContext:
    """Keep the sentences that answer `question`, at most `budget_tokens` of them in all
    (the model's tokens, citation tags included). Pure: no I/O but the embedder."""
    source_chars = sum(len(p.text) for p in passages)
    titles = {p.chunk_id: p.title for p in passages}
    units = passage_units(passages)
    if not any(u.answer for u in units) or budget_tokens <= 0:
        return CondensedContext(kept=[], source_chars=source_chars, titles=titles)
    parts = _parts(question)
    question_vectors, vectors = _vectors(parts, units, embedder, sentence_vectors or {})
    rankings = [
        _ranked(part, vector, units, vectors) for part, vector in zip(parts, question_vectors, strict=True)
    ]
    chosen = _select(parts, units, rankings, budget_tokens, embedder.count_tokens)
    passage_order = {p.chunk_id: i for i, p in enumerate(passages)}
    chosen.sort(key=lambda k: (passage_order[k.chunk_id], k.position))
    return CondensedContext(kept=chosen, source_chars=source_chars, titles=titles)


def _vectors(
    questions: list[str],
    units: list[Unit],
    embedder: Embedder,
    given: Mapping[str, SentenceVectors],
) -> tuple[np.ndarray, np.ndarray]:
    """The questions' vectors and one per sentence: precomputed where they line up with our
    splitter, embedded here (in the same call as the questions) where they do not."""
    per_chunk: dict[str, list[Unit]] = {}
    for unit in units:
        per_chunk.setdefault(unit.chunk_id, []).append(unit)
    usable = {
        chunk_id: given[chunk_id]
        for chunk_id, chunk_units in per_chunk.items()
        if chunk_id in given and len(given[chunk_id]) == len(chunk_units)
    }
    missing = [u for u in units if u.chunk_id not in usable]
    embedded = np.asarray(embedder.embed([*questions, *(u.text for u in missing)]), dtype=np.float32)
    fresh = iter(embedded[len(questions) :])
    rows = [
        np.asarray(usable[u.chunk_id][u.position], dtype=np.float32) if u.chunk_id in usable else next(fresh)
        for u in units
    ]
    return embedded[: len(questions)], np.vstack(rows)


def _parts(question: str) -> list[str]:
    """The question's parts (`router.parts`) when each has words to match, so that the
    second part is not crowded out by the first; else just the question."""
    parts = [p for p in question_parts(question) if len(terms(p)) >= 2]
    return parts if len(parts) > 1 else [question]


def _ranked(
    question: str, vector: np.ndarray, units: list[Unit], vectors: np.ndarray
) -> list[tuple[int, float]]:
    """(unit index, score) of the units that may answer, best first, cut where the score
    falls SCORE_GAP below the best."""
    scores = _scores(question, vector, units, vectors)
    answers = np.array([u.answer for u in units])
    best = float(scores[answers].max())
    order = np.argsort(-scores, kind="stable")
    return [(int(i), float(scores[i])) for i in order if answers[i] and scores[i] >= best - SCORE_GAP]


def _scores(question: str, question_vector: np.ndarray, units: list[Unit], vectors: np.ndarray) -> np.ndarray:
    similarity = vectors @ question_vector
    lexical = _lexical(terms(question), units)
    if lexical.max() > 0:
        lexical = lexical / lexical.max()
    # "It was completed in 1889." is about what the sentence before it names: such a sentence
    # also gets part of its predecessor's match.
    for i, unit in enumerate(units):
        if i and units[i - 1].passage == unit.passage and _CONTINUES.match(unit.text):
            similarity[i] = max(
                similarity[i], CARRY_OVER * similarity[i - 1] + (1 - CARRY_OVER) * similarity[i]
            )
            lexical[i] = max(lexical[i], CARRY_OVER * lexical[i - 1] + (1 - CARRY_OVER) * lexical[i])
    passage_of = np.array([u.passage for u in units])
    passage_similarity = np.zeros(len(units), dtype=np.float32)
    for passage in set(passage_of.tolist()):
        rows = passage_of == passage
        centre = vectors[rows].mean(axis=0)
        norm = float(np.linalg.norm(centre))
        if norm > 0:
            passage_similarity[rows] = float(centre @ question_vector) / norm
    # A heading is no answer, but it says what the lines under it are about.
    under_heading = np.array([lexical[u.section] if u.section is not None else 0.0 for u in units])
    structure = ROW_VALUE_WEIGHT * _row_values(question, units) + HEADING_WEIGHT * under_heading
    passage_part = PASSAGE_WEIGHT * passage_similarity
    return similarity + LEXICAL_WEIGHT * lexical + passage_part + _answer_type(question, units) + structure


def _lexical(query: list[str], units: list[Unit]) -> np.ndarray:
    """BM25 of each unit; an enumeration on one line is also scored by its lead alone, which
    names what the list is of ("以下材料") and is not drowned by the items' length."""
    count = len(units)
    leads = [_ENUMERATION.match(u.text) if not u.row else None for u in units]
    scores = bm25(query, [terms(u.text) for u in units] + [terms(m["lead"]) if m else [] for m in leads])
    return np.maximum(scores[:count], scores[count:])


def _answer_type(question: str, units: list[Unit]) -> np.ndarray:
    """ANSWER_TYPE_BOOST for the sentences that hold what the question asks for: a date for
    "when", a number for "how many", a name for "who"."""
    boost = np.zeros(len(units), dtype=np.float32)
    for asks, holds in _ANSWER_TYPES:
        if asks.search(question):
            question_words = set(_LATIN_WORD.findall(question))
            for i, unit in enumerate(units):
                if holds(unit.text, question_words):
                    boost[i] = ANSWER_TYPE_BOOST
            break
    return boost


def _has_new_name(text: str, question_words: set[str]) -> bool:
    words = _LATIN_WORD.findall(text)[1:]  # the first word is capitalised anyway
    return any(w[0].isupper() and w not in question_words for w in words)


def _row_values(question: str, units: list[Unit]) -> np.ndarray:
    """For each table row, the share of the question's terms found among its values, not
    its column names: "over EUR 50,000" picks the row whose amount says so."""
    wanted = set(terms(question))
    share = np.zeros(len(units), dtype=np.float32)
    for i, unit in enumerate(units):
        if unit.row and wanted:
            values = {t for cell in unit.text.split(CELL_SEPARATOR) for t in terms(cell.split(": ", 1)[-1])}
            share[i] = len(wanted & values) / len(wanted)
    return share


def _select(
    parts: list[str],
    units: list[Unit],
    rankings: list[list[tuple[int, float]]],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> list[Kept]:
    """Take each part's next best unit in turn while the budget holds, each with the lines
    it is read through (a list item's lead-in, a lead-in's items) as far as they fit."""
    kept: list[Kept] = []
    seen_texts: set[str] = set()
    used = 0
    tag = max(count_tokens("[1] "), count_tokens(GAP_MARKER))  # what render() adds per piece

    def take(unit: Unit, score: float, part: int, rank: int) -> bool:
        nonlocal used
        cost = count_tokens(unit.text) + tag
        if used + cost > budget_tokens:
            return False
        kept.append(Kept(unit.chunk_id, unit.text, score, unit.position, part, rank))
        seen_texts.add(_normalised(unit.text))
        used += cost
        return True

    queue = [item for group in zip_longest(*rankings) for item in _flat(group)]
    for rank, (index, score, part) in enumerate(queue):
        unit = units[index]
        if _normalised(unit.text) in seen_texts:  # overlapping chunks and several parts repeat sentences
            continue
        if not take(unit, score, part, rank):
            if not kept:  # even the best sentence is too long: keep its part around the question's words
                text = _trim(unit.text, terms(parts[part]), budget_tokens - tag, count_tokens)
                kept.append(Kept(unit.chunk_id, text, score, unit.position, part, rank))
            break
        for companion in _read_with(index, units):
            if _normalised(units[companion].text) not in seen_texts and not take(
                units[companion], score, part, rank
            ):
                break
    return kept


def _read_with(index: int, units: list[Unit]) -> list[int]:
    """The units a kept one is read through: a list item's lead-in, or a lead-in's items."""
    lead_in = units[index].lead_in
    if lead_in is not None:
        return [lead_in]
    return [i for i in range(index + 1, len(units)) if units[i].lead_in == index]


def _flat(group: tuple) -> list[tuple[int, float, int]]:
    """One turn of the parts' rankings: (unit index, score, part) for each part still ranking."""
    return [(item[0], item[1], part) for part, item in enumerate(group) if item is not None]


def _normalised(text: str) -> str:
    return " ".join(text.lower().split())


def _trim(text: str, wanted_terms: list[str], budget_tokens: int, count_tokens: Callable[[str], int]) -> str:
    """The longest run of words around the densest match of the question's terms that fits."""
    pieces = re.findall(rf"[{CJK_IDEOGRAPHS}]|[^\s{CJK_IDEOGRAPHS}]+\s*|\s+", text)
    if not pieces or budget_tokens <= 0:
        return ""
    wanted = set(wanted_terms)
    hits = [i for i, p in enumerate(pieces) if any(t in wanted for t in terms(p))]
    centre = hits[len(hits) // 2] if hits else 0
    start = end = centre
    grown = True
    while grown:  # one word to the right, then one to the left, while it fits
        grown = False
        if end + 1 < len(pieces) and count_tokens("".join(pieces[start : end + 2])) <= budget_tokens:
            end, grown = end + 1, True
        if start > 0 and count_tokens("".join(pieces[start - 1 : end + 1])) <= budget_tokens:
            start, grown = start - 1, True
    return "".join(pieces[start : end + 1]).strip()
