"""Fakes for the pipeline's external seams only (STYLE.md 9): the embedding model, the vector
index and the chat backends. Everything of our own stays real in the tests that use these;
they exist so the pipeline's logic is tested in seconds, without a model or Chroma. Every
user-visible path also has a test against the real services."""

import hashlib
import math
import re
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ingestion.embed import TextKind
from ingestion.store import IndexedChunk, chunk_id, readers_for
from ingestion.text import split_sentences
from router.backends import Completion, Message, Usage
from router.errors import BackendError

_TOKENS = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]")
# Words that carry no topic, as a real model weighs them: without this, every question
# would match every passage a little.
_STOPWORDS = frozenset(
    "a an and are as at be by did do does for how i if in is it of on or the to was why what with".split()  # noqa: SIM905
)
DIMENSION = 256


class HashingEmbedder:
    """Bag of words hashed into a fixed vector: texts sharing words are close, as with a real
    model on easy cases, and the same text always gives the same vector."""

    model_name = "fake-hashing-embedder"
    max_tokens = 512
    dimension = DIMENSION

    def embed(self, texts: Sequence[str], *, kind: TextKind = "passage") -> list[list[float]]:
        return [self._vector(text) for text in texts]

    def count_tokens(self, text: str) -> int:
        return len(_TOKENS.findall(text.lower()))

    def _vector(self, text: str) -> list[float]:
        vector = [0.0] * DIMENSION
        for token in (t for t in _TOKENS.findall(text.lower()) if t not in _STOPWORDS):
            vector[int(hashlib.md5(token.encode()).hexdigest(), 16) % DIMENSION] += 1.0  # noqa: S324
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]


@dataclass
class MemoryIndex:
    """Chunks in a list, with Chroma's reader filter and cosine scores."""

    embedder: HashingEmbedder = field(default_factory=HashingEmbedder)
    chunks: list[tuple[IndexedChunk, list[float]]] = field(default_factory=list)
    failure: Exception | None = None  # raised by every query, to play an index outage

    def add(self, document, text: str, *, heading: str = "", position: int = 0) -> str:
        """Index one chunk of a Document row as it stands (its groups, sensitivity, version)."""
        metadata = {
            "document_id": document.pk,
            "version": document.version,
            "title": document.title,
            "heading": heading,
            "page": -1,
            "sensitivity": document.sensitivity,
            "readers": readers_for(document.groups.values_list("id", flat=True)),
        }
        cid = chunk_id(document.pk, document.version, position)
        chunk = IndexedChunk(cid, document.pk, document.version, text, metadata)
        self.chunks.append((chunk, self.embedder.embed([text])[0]))
        return cid

    def query(self, *, embedding: Sequence[float], where: dict[str, Any], limit: int) -> list[IndexedChunk]:
        if self.failure is not None:
            raise self.failure
        scored = [
            IndexedChunk(c.chunk_id, c.document_id, c.version, c.text, c.metadata, _cosine(embedding, vector))
            for c, vector in self.chunks
            if _matches(c.metadata, where)
        ]
        return sorted(scored, key=lambda c: c.score or 0.0, reverse=True)[:limit]

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[list[float]]]:
        by_id = {c.chunk_id: c for c, _ in self.chunks}
        return {
            cid: self.embedder.embed(split_sentences(by_id[cid].text)) for cid in chunk_ids if cid in by_id
        }


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))


def _matches(metadata: dict[str, Any], where: dict[str, Any]) -> bool:
    if not where:
        return True
    if "$or" in where:
        return any(_matches(metadata, clause) for clause in where["$or"])
    ((name, condition),) = where.items()
    return condition["$contains"] in metadata[name]


@dataclass
class ScriptedBackend:
    """A chat backend that streams a fixed reply word by word, or fails as told: before the
    first word (`fail_at=0`) or after some words; `seconds_per_word` paces it like a slow model."""

    reply: str = "The answer."
    name: str = "scripted-model"
    failure: BackendError | None = None
    fail_at: int = 0
    seconds_per_word: float = 0.0
    calls: list[list[Message]] = field(default_factory=list)

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float) -> Completion:
        self.calls.append(list(messages))
        if self.failure is not None and self.fail_at == 0:
            raise self.failure
        usage = Usage()
        return Completion(chunks=self._words(usage), usage=usage, model=self.name)

    def _words(self, usage: Usage) -> Generator[str, None, None]:
        words = re.findall(r"\S+\s*", self.reply)
        for n, word in enumerate(words, 1):
            time.sleep(self.seconds_per_word)
            yield word
            if self.failure is not None and n == self.fail_at:
                raise self.failure
        usage.prompt_tokens, usage.completion_tokens = 100, len(words)


@dataclass
class KeywordIntents:
    """Intent by keyword, so that a test decides what the classifier says."""

    labels: dict[str, str] = field(default_factory=dict)
    default: str = "general"

    def classify(self, question: str):
        from router.intent import IntentPrediction

        lowered = question.lower()
        label = next((lab for word, lab in self.labels.items() if word in lowered), self.default)
        return IntentPrediction(label, 0.9, {label: 0.9})
