"""Lexical matching shared by retrieval and condensing: BM25 over words, with Chinese read as
character bigrams, so that no segmenter (and no model download) is needed.

It catches what a small embedding model blurs: names, numbers, codes and terms of art
shared by the question and the text."""

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ingestion.text import CJK_RUN

_LATIN_WORD = re.compile(r"[^\W_]+")
# Only function words: "many", "first", "not" and the like carry meaning for matching.
_STOPWORDS_TEXT = """
    a an the of to in on at by for from with as and or is are was were be been it its this that
    which what who whom whose when where why how did do does their his her than then into about
    after before during
"""
_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_SUFFIXES = ("ing", "ed", "s")


def terms(text: str) -> list[str]:
    """Lower-cased words minus stopwords; Chinese as character bigrams (no segmenter needed)."""
    lowered = text.lower()
    found = [stem(w) for w in _LATIN_WORD.findall(CJK_RUN.sub(" ", lowered)) if w not in _STOPWORDS]
    for run in CJK_RUN.findall(lowered):
        found.extend(run[i : i + 2] for i in range(max(len(run) - 1, 1)))
    return found


def stem(word: str) -> str:
    """Crude English suffix stripping, so that "requests", "requested" and "request" match."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def bm25(
    query: Sequence[str], documents: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75
) -> np.ndarray:
    """Okapi BM25 of each document for the query, with document frequencies from `documents`."""
    count = len(documents)
    if not count:
        return np.zeros(0, dtype=np.float32)
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


# Measured on xquad_dev and cmrc_trial (bench/retrieval.py, docs/benchmarks.md): a small
# share of BM25 lifts recall@5 a little for every language pair; more starts to hurt the
# cross-language pairs, whose texts share few words.
FUSION_WEIGHT = 0.05


def fused_scores(question: str, cosines: Sequence[float], documents: Sequence[Sequence[str]]) -> np.ndarray:
    """Dense similarity plus FUSION_WEIGHT × BM25 relative to the best of these candidates
    (`documents`: their `terms`): between passages the embedder finds equally close, the one
    sharing the question's rare words comes first."""
    lexical = bm25(terms(question), documents)
    dense = np.asarray(cosines, dtype=np.float32)
    best = float(lexical.max()) if len(lexical) else 0.0
    return dense + FUSION_WEIGHT * lexical / best if best > 0 else dense
