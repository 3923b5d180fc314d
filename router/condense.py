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
- a small boost when it holds what the question asks for (a date for "when"…).
The best sentence is always kept; the others while their score stays within a fixed gap of
the best and the budget holds, so a clear answer costs one sentence and a diffuse one more.
A compound question ("…, and how do I…?") is ranked part by part and the parts take turns.
"""

import math
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, zip_longest

import numpy as np

from ingestion.embed import Embedder
from ingestion.text import CJK_IDEOGRAPHS, CJK_RUN, split_sentences

LEXICAL_WEIGHT = 0.5
PASSAGE_WEIGHT = 0.3
# Sentences scoring more than this below the best are dropped. On the scale above (roughly
# 0–1.8) it keeps the runner-up sentences that are nearly as good and cuts the rest.
SCORE_GAP = 0.28
ANSWER_TYPE_BOOST = 0.1
CARRY_OVER = 0.5
GAP_MARKER = " … "
# The name under which eval_condense and its callers align sentence vectors with passages.
split_sentences_for_condense = split_sentences

_LATIN_WORD = re.compile(r"[^\W_]+")
# Only function words: "many", "first", "not" and the like carry meaning for matching.
_STOPWORDS_TEXT = """
    a an the of to in on at by for from with as and or is are was were be been it its this that
    which what who whom whose when where why how did do does their his her than then into about
    after before during
"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_SUFFIXES = ("ing", "ed", "s")
_CONTINUES = re.compile(
    r"(it|its|this|these|that|those|they|their|he|his|she|her|there|such|the latter)\b|[它其这该此他她]", re.I
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
            r"|多少|几[天个次年月人]|多久|多长",
            re.I,
        ),
        lambda text, _: bool(_NUMBER.search(text)),
    ),
    (re.compile(r"\b(who|whom|whose)\b", re.I), lambda text, words: _has_new_name(text, words)),
]
_SUB_QUESTION = re.compile(
    r"\?\s+|？|;|；|,?\s+and\s+(?=(?:how|what|when|where|who|which|why|can|do|does|is|are)\b)|以及|另外", re.I
)


# One vector per sentence of a chunk: lists from the index, or an array from a batch.
SentenceVectors = Sequence[Sequence[float]] | np.ndarray


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk."""

    chunk_id: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Kept:
    chunk_id: str
    text: str
    score: float
    position: int = 0  # the sentence's index in its chunk


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
        """Plain text, one line per cited chunk: "[1] sentence sentence … later sentence"."""
        numbers = {chunk_id: n for n, chunk_id in self.citation_key().items()}
        lines: list[str] = []
        for chunk_id, n in numbers.items():
            pieces = [k for k in self.kept if k.chunk_id == chunk_id]
            text = pieces[0].text
            for previous, current in pairwise(pieces):
                joiner = " " if current.position == previous.position + 1 else GAP_MARKER
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
    units = _sentences(passages)
    if not units or budget_tokens <= 0:
        return CondensedContext(kept=[], source_chars=source_chars, titles=titles)
    parts = _sub_questions(question)
    question_vectors, vectors = _vectors(parts, units, embedder, sentence_vectors or {})
    rankings = [
        _ranked(part, vector, units, vectors) for part, vector in zip(parts, question_vectors, strict=True)
    ]
    chosen = _select(parts, units, rankings, budget_tokens, embedder.count_tokens)
    passage_order = {p.chunk_id: i for i, p in enumerate(passages)}
    chosen.sort(key=lambda k: (passage_order[k.chunk_id], k.position))
    return CondensedContext(kept=chosen, source_chars=source_chars, titles=titles)


@dataclass(frozen=True)
class _Unit:
    chunk_id: str
    position: int
    text: str
    passage: int  # index of its passage


def _sentences(passages: Sequence[Passage]) -> list[_Unit]:
    units: list[_Unit] = []
    seen_chunks: set[str] = set()
    for index, passage in enumerate(passages):
        if passage.chunk_id in seen_chunks:
            continue
        seen_chunks.add(passage.chunk_id)
        for position, text in enumerate(split_sentences(passage.text)):
            units.append(_Unit(passage.chunk_id, position, text, index))
    return units


def _vectors(
    questions: list[str],
    units: list[_Unit],
    embedder: Embedder,
    given: Mapping[str, SentenceVectors],
) -> tuple[np.ndarray, np.ndarray]:
    """The questions' vectors and one per sentence: precomputed where they line up with our
    splitter, embedded here (in the same call as the questions) where they do not."""
    per_chunk: dict[str, list[_Unit]] = {}
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


def _sub_questions(question: str) -> list[str]:
    """A compound question ("How do I install the VPN, and how do I request leave?") as its
    parts, so that the second part is not crowded out by the first; else just the question."""
    parts = [p.strip(" ,;，；") for p in _SUB_QUESTION.split(question)]
    parts = [p for p in parts if len(_terms(p)) >= 2]
    return parts if len(parts) > 1 else [question]


def _ranked(
    question: str, vector: np.ndarray, units: list[_Unit], vectors: np.ndarray
) -> list[tuple[int, float]]:
    """(sentence index, score), best first, cut where the score falls SCORE_GAP below the best."""
    scores = _scores(question, vector, units, vectors)
    best = float(scores.max())
    order = np.argsort(-scores, kind="stable")
    return [(int(i), float(scores[i])) for i in order if scores[i] >= best - SCORE_GAP]


def _scores(
    question: str, question_vector: np.ndarray, units: list[_Unit], vectors: np.ndarray
) -> np.ndarray:
    similarity = vectors @ question_vector
    lexical = _bm25(_terms(question), [_terms(u.text) for u in units])
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
    answer_type = _answer_type(question, units)
    return similarity + LEXICAL_WEIGHT * lexical + PASSAGE_WEIGHT * passage_similarity + answer_type


def _answer_type(question: str, units: list[_Unit]) -> np.ndarray:
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


def _select(
    parts: list[str],
    units: list[_Unit],
    rankings: list[list[tuple[int, float]]],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
) -> list[Kept]:
    """Take each part's next best sentence in turn while the budget holds."""
    kept: list[Kept] = []
    seen_texts: set[str] = set()
    used = 0
    queue = [
        (index, score, part) for group in zip_longest(*rankings) for index, score, part in _flat(group, parts)
    ]
    for index, score, part in queue:
        unit = units[index]
        normalised = " ".join(unit.text.lower().split())
        if normalised in seen_texts:  # overlapping chunks and several parts repeat sentences
            continue
        cost = count_tokens(unit.text) + 3  # "[n] " or the joiner
        if used + cost > budget_tokens:
            if kept:
                break
            # Even the best sentence is too long: keep its part around the question's words.
            text = _trim(unit.text, _terms(part), budget_tokens - 3, count_tokens)
            kept.append(Kept(unit.chunk_id, text, score, unit.position))
            break
        kept.append(Kept(unit.chunk_id, unit.text, score, unit.position))
        seen_texts.add(normalised)
        used += cost
    return kept


def _flat(group: tuple, parts: list[str]) -> list[tuple[int, float, str]]:
    return [(item[0], item[1], part) for item, part in zip(group, parts, strict=True) if item is not None]


def _terms(text: str) -> list[str]:
    """Lower-cased words minus stopwords; Chinese as character bigrams (no segmenter needed)."""
    lowered = text.lower()
    terms = [_stem(w) for w in _LATIN_WORD.findall(CJK_RUN.sub(" ", lowered)) if w not in _STOPWORDS]
    for run in CJK_RUN.findall(lowered):
        terms.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return terms


def _stem(word: str) -> str:
    """Crude English suffix stripping, so that "requests", "requested" and "request" match."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _bm25(query: list[str], documents: list[list[str]], k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    count = len(documents)
    average = sum(len(d) for d in documents) / count or 1.0
    frequency = Counter(term for document in documents for term in set(document))
    wanted = set(query)
    out = np.zeros(count, dtype=np.float32)
    for i, document in enumerate(documents):
        tf = Counter(t for t in document if t in wanted)
        for term, n in tf.items():
            idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
            out[i] += idf * n * (k1 + 1) / (n + k1 * (1 - b + b * len(document) / average))
    return out


def _trim(text: str, terms: list[str], budget_tokens: int, count_tokens: Callable[[str], int]) -> str:
    """The longest run of words around the densest match of the question's terms that fits."""
    pieces = re.findall(rf"[{CJK_IDEOGRAPHS}]|[^\s{CJK_IDEOGRAPHS}]+\s*|\s+", text)
    if not pieces or budget_tokens <= 0:
        return ""
    wanted = set(terms)
    hits = [i for i, p in enumerate(pieces) if any(t in wanted for t in _terms(p))]
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
