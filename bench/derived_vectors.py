"""Can a chunk's vector be derived from its sentences' vectors, which ingestion embeds anyway?

Ingestion embeds every chunk and, for condensing, every sentence of it: the same text twice.
On ../shared/eval/xquad_dev (125 paragraphs in English and Chinese, 635 questions in both)
this compares dense recall@5 over the paragraphs with each paragraph's vector embedded
directly and derived as the normalised mean of its sentences' vectors, for en-en, zh-zh,
zh-en and en-zh, and the embedding time each way. Prints one JSON object.
    .venv/bin/python bench/derived_vectors.py [--model use-multilingual]
"""

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "xquad_dev"
sys.path.insert(0, str(ROOT))
from ingestion.embedders import load_embedder  # noqa: E402
from ingestion.text import split_sentences  # noqa: E402

PAIRS = (("en", "en"), ("zh", "zh"), ("zh", "en"), ("en", "zh"))


def _normalised(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)


def _recall_at_5(questions: np.ndarray, passages: np.ndarray, gold: list[int]) -> float:
    top = np.argsort(-(questions @ passages.T), axis=1)[:, :5]
    return round(float(np.mean([g in row for g, row in zip(gold, top, strict=True)])), 4)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="use-multilingual")
    args = parser.parse_args()
    embedder = load_embedder(args.model)
    rows = [json.loads(line) for line in (EVAL / "passages.jsonl").open()]
    index = {row["id"]: i for i, row in enumerate(rows)}
    asked = [json.loads(line) for line in (EVAL / "questions.jsonl").open()]
    gold = [index[q["passage_id"]] for q in asked]
    vectors, seconds = {}, {"direct": 0.0, "sentences": 0.0}
    for lang in ("en", "zh"):
        texts = [row[lang] for row in rows]
        started = time.perf_counter()
        direct = np.asarray(embedder.embed(texts), dtype=np.float32)
        seconds["direct"] += time.perf_counter() - started
        sentences = [split_sentences(text) or [text] for text in texts]
        started = time.perf_counter()
        flat = np.asarray(embedder.embed([s for group in sentences for s in group]), dtype=np.float32)
        seconds["sentences"] += time.perf_counter() - started
        bounds = np.cumsum([0, *(len(group) for group in sentences)])
        derived = np.stack([flat[a:b].mean(axis=0) for a, b in itertools.pairwise(bounds)])
        questions = np.asarray(
            embedder.embed([q[lang]["question"] for q in asked], kind="query"), dtype=np.float32
        )
        vectors[lang] = (_normalised(direct), _normalised(derived), _normalised(questions))
    recall = {
        f"{q}-{p}": {
            "direct": _recall_at_5(vectors[q][2], vectors[p][0], gold),
            "derived": _recall_at_5(vectors[q][2], vectors[p][1], gold),
        }
        for q, p in PAIRS
    }
    print(
        json.dumps({
            "benchmark": "derived_chunk_vectors", "model": args.model, "paragraphs": len(rows),
            "questions": len(asked), "recall_at_5": recall,
            "embedding_seconds": {k: round(v, 2) for k, v in seconds.items()},
        })
    )  # fmt: skip


if __name__ == "__main__":
    main()
