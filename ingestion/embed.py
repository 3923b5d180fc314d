"""The local embedding model behind one small interface (the model seam of STYLE.md), chosen
by the EMBEDDING_MODEL setting: one instance per model and process, loaded on first use.

The models themselves live in ingestion/embedders.py and are imported only here, inside the
factory, so that the web app's ordinary pages never pay for them (see
tests/kb_assistant/test_platform.py).
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Literal, Protocol

from django.conf import settings

TextKind = Literal["query", "passage"]


class Embedder(Protocol):
    """Normalised vectors for texts, and the model's own token count (chunking uses it).
    `kind` matters to models trained with query and passage prefixes (e5)."""

    model_name: str
    max_tokens: int
    dimension: int

    def embed(self, texts: Sequence[str], *, kind: TextKind = "passage") -> list[list[float]]: ...

    def count_tokens(self, text: str) -> int: ...


_RECENT_TEXTS = 256


class RememberingEmbedder:
    """An embedder that remembers single texts for a while: one request embeds its question
    in several stages (intent, retrieval, condensing), and should pay for it once."""

    def __init__(self, model: Embedder) -> None:
        self._model = model
        self.model_name = model.model_name
        self.max_tokens = model.max_tokens
        self.dimension = model.dimension
        self._lock = threading.Lock()
        self._recent: OrderedDict[tuple[str, str], list[float]] = OrderedDict()

    def embed(self, texts: Sequence[str], *, kind: TextKind = "passage") -> list[list[float]]:
        if len(texts) != 1:
            return self._model.embed(texts, kind=kind)
        key = (kind, texts[0])
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return [self._recent[key]]
        vector = self._model.embed(texts, kind=kind)[0]
        with self._lock:
            self._recent[key] = vector
            if len(self._recent) > _RECENT_TEXTS:
                self._recent.popitem(last=False)
        return [vector]

    def count_tokens(self, text: str) -> int:
        return self._model.count_tokens(text)


def embedding_model_name(key: str | None = None) -> str:
    """The name of the model a setting chooses, without loading it: the index records it."""
    from ingestion.embedders import embedder_class

    return embedder_class(key or settings.EMBEDDING_MODEL).model_name


@functools.lru_cache(maxsize=2)
def embedder_named(key: str) -> Embedder:
    from ingestion.embedders import load_embedder

    return RememberingEmbedder(load_embedder(key))


def get_embedder() -> Embedder:
    """The configured model (EMBEDDING_MODEL)."""
    return embedder_named(settings.EMBEDDING_MODEL)
