import json
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from ingestion.embed import get_embedder
from router.condense import Passage, condense, split_sentences_for_condense

# Large enough that the adaptive cut in condense() decides on ordinary questions; the
# budget only binds on questions whose best sentences are very long.
DEFAULT_BUDGET_TOKENS = 160


class Command(BaseCommand):
    help = (
        "Condense each question's passages and score the result: compression (passage characters / "
        "condensed characters), gold-answer recall, latency. Answers are read for scoring only."
    )
    requires_system_checks: list[str] = []  # an offline evaluation: it needs no URLs, views or database

    def add_arguments(self, parser):
        parser.add_argument(
            "input", type=Path, help='JSONL: {"id", "question", "passages": [...], "answers": [...]}'
        )
        parser.add_argument("--out", type=Path, required=True, help='JSONL written: {"id", "condensed"}')
        parser.add_argument(
            "--budget", type=int, default=DEFAULT_BUDGET_TOKENS, help="token budget per question"
        )

    def handle(self, *args, input: Path, out: Path, budget: int, **options):
        input, out = Path(input), Path(out)  # call_command passes options through untyped
        rows = _read(input)
        embedder = get_embedder()
        # As in production, sentence embeddings are made at ingestion time, outside the timed call.
        vectors = _sentence_vectors(rows, embedder)
        results, timings = [], []
        for row, row_vectors in zip(rows, vectors, strict=True):
            passages = [Passage(chunk_id=f"{row['id']}#{i}", text=t) for i, t in enumerate(row["passages"])]
            started = time.perf_counter()
            condensed = condense(
                row["question"],
                passages,
                budget_tokens=budget,
                embedder=embedder,
                sentence_vectors=row_vectors,
            )
            text = condensed.render()
            timings.append((time.perf_counter() - started) * 1000)
            results.append((row, condensed.source_chars, text))
        with out.open("w", encoding="utf-8") as handle:
            for row, _, text in results:
                handle.write(json.dumps({"id": row["id"], "condensed": text}, ensure_ascii=False) + "\n")
        self.stdout.write(json.dumps(_summary(results, timings, budget)))


def _read(path: Path) -> list[dict]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    rows = [json.loads(line) for line in lines if line.strip()]
    for number, row in enumerate(rows, start=1):
        if not {"id", "question", "passages"} <= set(row):
            raise CommandError(f"line {number}: needs id, question and passages")
    return rows


def _sentence_vectors(rows: list[dict], embedder) -> list[dict[str, np.ndarray]]:
    """Each row's chunk id → its sentences' embeddings, embedded in one batch for speed."""
    splits = [[split_sentences_for_condense(text) for text in row["passages"]] for row in rows]
    flat = [sentence for row in splits for passage in row for sentence in passage]
    embedded = np.asarray(embedder.embed(flat), dtype=np.float32)
    out, cursor = [], 0
    for row, row_splits in zip(rows, splits, strict=True):
        per_chunk = {}
        for i, sentences in enumerate(row_splits):
            per_chunk[f"{row['id']}#{i}"] = embedded[cursor : cursor + len(sentences)]
            cursor += len(sentences)
        out.append(per_chunk)
    return out


def _summary(results: list[tuple[dict, int, str]], timings: list[float], budget: int) -> dict:
    source = sum(s for _, s, _ in results)
    condensed = sum(len(t) for _, _, t in results)
    ratios = [s / max(len(t), 1) for _, s, t in results]
    scored = [(row, t) for row, _, t in results if row.get("answers")]
    found = sum(any(a.lower() in t.lower() for a in row["answers"]) for row, t in scored)
    return {
        "questions": len(results),
        "budget_tokens": budget,
        "source_chars": source,
        "condensed_chars": condensed,
        "compression_ratio": round(source / max(condensed, 1), 2),
        "mean_compression_ratio": round(float(np.mean(ratios)), 2) if ratios else 0.0,
        "answer_recall": round(found / len(scored), 4) if scored else None,
        "p50_ms": round(float(np.percentile(timings, 50)), 2) if timings else 0.0,
        "p95_ms": round(float(np.percentile(timings, 95)), 2) if timings else 0.0,
    }
