"""Retrieval recall of the candidate embedders, alone and fused with BM25.

On ../shared/eval/xquad_dev (125 paragraphs, each in English and Chinese; 635 questions in
both languages): recall@1 and recall@5 over the 125 paragraphs for English questions over
English paragraphs (en-en), Chinese over Chinese (zh-zh), Chinese questions over English
paragraphs (zh-en) and English over Chinese (en-zh); and mixed-zh-en / mixed-en-zh: the
same cross-language questions over both languages' paragraphs at once (249: the gold's twin
in the question's language withheld), as in a knowledge base that holds both languages.
On ../shared/eval/cmrc_trial (Chinese): recall@1 and recall@5 over its 256 passages.

Rankings per model: dense (cosine), bm25 (router.lexical's terms: words, light stemming;
Chinese as character bigrams), rrf (reciprocal rank fusion of the two, k=60), wsum_W (cosine
+ W x BM25 divided by the best BM25 score for that question) and product, the product's own
ranking (router/retrieve.py: the 40 nearest by cosine, reranked by
router.lexical.fused_scores). Also the model's load time, RSS, and speed: passages/s
embedding the paragraphs in one batch, and single-query latency.

Each model runs in a child process of its own, so that load time and RSS are its own.
Nothing is downloaded: every model ships in its package. Prints one JSON object.
    .venv/bin/python bench/retrieval.py [--models e5-small,use-multilingual-onnx,use-multilingual,minilm]
        [--sample N] [--cmrc-sample N] [--threads 1] [--weights 0.05,0.1,0.2,0.3]
"""

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
MODELS = ("e5-small", "use-multilingual-onnx", "use-multilingual", "minilm")
TARGETS_R5 = {"en-en": 0.97, "zh-zh": 0.95, "zh-en": 0.90, "en-zh": 0.90}
RRF_K = 60

# --- lexical ranking ---------------------------------------------------------------------

sys.path.insert(0, str(ROOT))
from router.lexical import fused_scores, terms  # noqa: E402  (the product's own, no Django needed)
from router.relevance import NEAREST_CHUNKS  # noqa: E402


class BM25:
    """router.lexical.bm25 as one matrix, for whole-corpus rankings of many questions."""

    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75) -> None:
        docs = [Counter(terms(d)) for d in documents]
        self.vocab = {t: i for i, t in enumerate(sorted({t for d in docs for t in d}))}
        tf = np.zeros((len(docs), len(self.vocab)), dtype=np.float32)
        for row, counts in enumerate(docs):
            for term, n in counts.items():
                tf[row, self.vocab[term]] = n
        lengths = tf.sum(axis=1, keepdims=True)
        df = (tf > 0).sum(axis=0)
        idf = np.log(1 + (len(docs) - df + 0.5) / (df + 0.5))
        self.weights = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * lengths / lengths.mean()))

    def scores(self, query: str) -> np.ndarray:
        ids = [self.vocab[t] for t in terms(query) if t in self.vocab]
        if not ids:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return self.weights[:, ids].sum(axis=1)


# --- scoring ---------------------------------------------------------------------------


def ranks_of(scores: np.ndarray, gold: np.ndarray) -> np.ndarray:
    """0-based rank of each row's gold column (ties count against the gold)."""
    gold_scores = scores[np.arange(len(gold)), gold]
    return (scores > gold_scores[:, None]).sum(axis=1) + ((scores == gold_scores[:, None]).sum(axis=1) - 1)


def recall(rank: np.ndarray) -> dict:
    return {"r@1": round(float((rank < 1).mean()), 4), "r@5": round(float((rank < 5).mean()), 4)}


def rrf(*score_matrices: np.ndarray) -> np.ndarray:
    fused = np.zeros_like(score_matrices[0], dtype=np.float64)
    for scores in score_matrices:
        order = np.argsort(-scores, axis=1, kind="stable")
        positions = np.empty_like(order)
        rows = np.arange(scores.shape[0])[:, None]
        positions[rows, order] = np.arange(scores.shape[1])[None, :]
        fused += 1.0 / (RRF_K + 1 + positions)
    return fused


def product_ranking(dense: np.ndarray, questions: list[str], texts: list[str]) -> np.ndarray:
    """As router/retrieve.py ranks: the NEAREST_CHUNKS nearest by cosine, reranked by
    router.lexical.fused_scores (BM25 among the candidates only); the rest come after."""
    out = dense - 10.0
    for row, question in enumerate(questions):
        candidates = np.argsort(-dense[row], kind="stable")[:NEAREST_CHUNKS]
        out[row, candidates] = fused_scores(
            question, dense[row, candidates], [terms(texts[i]) for i in candidates]
        )
    return out


def variants(
    dense: np.ndarray, lexical: np.ndarray, weights: list[float], questions: list[str], texts: list[str]
) -> dict[str, np.ndarray]:
    best = lexical.max(axis=1, keepdims=True)
    scaled = np.divide(lexical, best, out=np.zeros_like(lexical), where=best > 0)
    out = {"dense": dense, "bm25": lexical, "rrf": rrf(dense, lexical)}
    for w in weights:
        out[f"wsum_{w:g}"] = dense + w * scaled
    out["product"] = product_ranking(dense, questions, texts)
    return out


# --- data ------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sample(items: list[dict], n: int | None, seed: int) -> list[dict]:
    if not n or n >= len(items):
        return items
    return random.Random(seed).sample(items, n)


# --- one model, in a child process -----------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return math.nan


def embed_matrix(model, texts: list[str], kind: str) -> np.ndarray:
    return np.asarray(model.embed(texts, kind=kind), dtype=np.float32)


def run_model(name: str, args: argparse.Namespace) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")  # LOCAL_MODELS_DIR (ONNX file)
    from ingestion.embedders import load_embedder

    rss_before = rss_mb()
    started = time.perf_counter()
    model = load_embedder(name, threads=args.threads)
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb()

    passages = read_jsonl(EVAL / "xquad_dev" / "passages.jsonl")
    questions = sample(read_jsonl(EVAL / "xquad_dev" / "questions.jsonl"), args.sample, args.seed)
    index = {p["id"]: i for i, p in enumerate(passages)}
    gold = np.array([index[q["passage_id"]] for q in questions])
    texts = {lang: [p[lang] for p in passages] for lang in ("en", "zh")}

    started = time.perf_counter()
    vectors = {lang: embed_matrix(model, texts[lang], "passage") for lang in ("en", "zh")}
    passages_per_s = 2 * len(passages) / (time.perf_counter() - started)

    asked = {lang: [q[lang]["question"] for q in questions] for lang in ("en", "zh")}
    latencies = []
    for text in asked["en"][: args.latency_queries // 2] + asked["zh"][: args.latency_queries // 2]:
        started = time.perf_counter()
        model.embed([text], kind="query")
        latencies.append((time.perf_counter() - started) * 1000)
    queries = {lang: embed_matrix(model, asked[lang], "query") for lang in ("en", "zh")}

    lexical = {lang: BM25(texts[lang]) for lang in ("en", "zh")}
    results: dict[str, dict] = {}
    for direction in ("en-en", "zh-zh", "zh-en", "en-zh"):
        q_lang, p_lang = direction.split("-")
        dense = queries[q_lang] @ vectors[p_lang].T
        bm25 = np.stack([lexical[p_lang].scores(text) for text in asked[q_lang]])
        for variant, scores in variants(dense, bm25, args.weights, asked[q_lang], texts[p_lang]).items():
            results.setdefault(variant, {})[direction] = recall(ranks_of(scores, gold))

    # Both languages in one pool, as in a knowledge base that holds both, with the gold
    # paragraph only in the other language (its twin in the question's language withheld):
    # does the question still find it, or do same-language paragraphs crowd it out?
    pool_vectors = np.concatenate([vectors["en"], vectors["zh"]])
    pool_bm25 = BM25(texts["en"] + texts["zh"])
    n, rows = len(passages), np.arange(len(gold))
    for q_lang, p_lang in (("zh", "en"), ("en", "zh")):
        target, twin = (gold, gold + n) if p_lang == "en" else (gold + n, gold)
        dense = queries[q_lang] @ pool_vectors.T
        bm25 = np.stack([pool_bm25.scores(text) for text in asked[q_lang]])
        dense[rows, twin] = bm25[rows, twin] = -1e9
        pool = texts["en"] + texts["zh"]
        for variant, scores in variants(dense, bm25, args.weights, asked[q_lang], pool).items():
            results[variant][f"mixed-{q_lang}-{p_lang}"] = recall(ranks_of(scores, target))

    cmrc_passages = read_jsonl(EVAL / "cmrc_trial" / "passages.jsonl")
    cmrc_questions = sample(read_jsonl(EVAL / "cmrc_trial" / "questions.jsonl"), args.cmrc_sample, args.seed)
    cmrc_index = {p["id"]: i for i, p in enumerate(cmrc_passages)}
    cmrc_gold = np.array([cmrc_index[q["passage_id"]] for q in cmrc_questions])
    cmrc_texts = [p["text"] for p in cmrc_passages]
    started = time.perf_counter()
    cmrc_vectors = embed_matrix(model, cmrc_texts, "passage")
    cmrc_passages_per_s = len(cmrc_texts) / (time.perf_counter() - started)
    cmrc_asked = [q["question"] for q in cmrc_questions]
    dense = embed_matrix(model, cmrc_asked, "query") @ cmrc_vectors.T
    cmrc_lexical = BM25(cmrc_texts)
    bm25 = np.stack([cmrc_lexical.scores(text) for text in cmrc_asked])
    for variant, scores in variants(dense, bm25, args.weights, cmrc_asked, cmrc_texts).items():
        results[variant]["cmrc"] = recall(ranks_of(scores, cmrc_gold))

    tokens = [model.count_tokens(t) for t in cmrc_texts]
    for figures in results.values():
        figures["meets_targets"] = all(
            figures[direction]["r@5"] >= target for direction, target in TARGETS_R5.items()
        )
    latencies.sort()
    return {
        "model_name": model.model_name,
        "dimension": model.dimension,
        "max_tokens": model.max_tokens,
        "load_s": round(load_s, 2),
        "rss_mb": {
            "before_load": rss_before,
            "after_load": rss_loaded,
            "peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        "speed": {
            "xquad_passages_per_s": round(passages_per_s, 1),
            "cmrc_passages_per_s": round(cmrc_passages_per_s, 1),
            "query_ms_p50": round(statistics.median(latencies), 1),
            "query_ms_p95": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        },
        "cmrc_passage_tokens": {
            "median": int(statistics.median(tokens)),
            "max": max(tokens),
            "over_max_tokens": sum(t > model.max_tokens for t in tokens),
        },
        "questions": {"xquad": len(questions), "cmrc": len(cmrc_questions)},
        "recall": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--models", default=",".join(MODELS), help=f"comma-separated, of {', '.join(MODELS)}")
    parser.add_argument("--sample", type=int, default=None, help="xquad questions (default: all 635)")
    parser.add_argument("--cmrc-sample", type=int, default=None, help="cmrc questions (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1, help="inference threads per model")
    parser.add_argument("--latency-queries", type=int, default=60)
    parser.add_argument(
        "--weights", type=lambda s: [float(w) for w in s.split(",") if w], default=[0.05, 0.1, 0.2, 0.3],
        help="BM25 weights for the weighted-sum variants",
    )  # fmt: skip
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(run_model(args.child, args)))
        return

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = sorted(set(names) - set(MODELS))
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")
    passthrough = sys.argv[1:]
    out = {"targets_r@5": TARGETS_R5, "threads": args.threads, "models": {}}
    for name in names:
        # One at a time, each in its own process: its load time and RSS are its own.
        child = subprocess.run(
            [sys.executable, __file__, *passthrough, "--child", name],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if child.returncode != 0:
            out["models"][name] = {"error": child.stderr.strip().splitlines()[-1:]}
            continue
        out["models"][name] = json.loads(child.stdout.strip().splitlines()[-1])
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
