import json
import time
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from ingestion.embed import get_embedder
from router.intent import OUT_OF_SCOPE, IntentClassifier


class Command(BaseCommand):
    help = (
        "Train the intent classifier on TRAIN, label every TEST question one at a time, and print "
        "accuracy, in-scope accuracy, out-of-scope recall and latency per question (embedding included)."
    )
    requires_system_checks: list[str] = []  # an offline evaluation: it needs no URLs, views or database

    def add_arguments(self, parser):
        parser.add_argument("--train", type=Path, required=True, help='JSONL: {"text", "label"}')
        parser.add_argument("--test", type=Path, required=True, help='JSONL: {"text", "label"}')
        parser.add_argument("--out", type=Path, required=True, help='JSONL written: {"text", "predicted"}')
        parser.add_argument("--out-of-scope-label", default=OUT_OF_SCOPE)

    def handle(self, *args, train: Path, test: Path, out: Path, out_of_scope_label: str, **options):
        train, test, out = Path(train), Path(test), Path(out)  # call_command passes options untyped
        train_rows, test_rows = _read(train), _read(test)
        embedder = get_embedder()
        started = time.perf_counter()
        classifier = IntentClassifier.train(
            [(r["text"], r["label"]) for r in train_rows],
            embedder=embedder,
            out_of_scope_label=out_of_scope_label,
        )
        train_seconds = time.perf_counter() - started
        predicted, timings = [], []
        for row in test_rows:
            started = time.perf_counter()
            predicted.append(classifier.predict(row["text"]).label)
            timings.append((time.perf_counter() - started) * 1000)
        with out.open("w", encoding="utf-8") as handle:
            for row, label in zip(test_rows, predicted, strict=True):
                handle.write(json.dumps({"text": row["text"], "predicted": label}, ensure_ascii=False) + "\n")
        summary = _summary(test_rows, predicted, timings, out_of_scope_label)
        summary["train_examples"] = len(train_rows)
        summary["train_seconds"] = round(train_seconds, 2)
        summary["threshold"] = round(classifier.threshold, 4)
        self.stdout.write(json.dumps(summary))


def _read(path: Path) -> list[dict]:
    try:
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc}") from exc
    for number, row in enumerate(rows, start=1):
        if "text" not in row:
            raise CommandError(f"{path} line {number}: needs text")
    return rows


def _summary(rows: list[dict], predicted: list[str], timings: list[float], oos: str) -> dict:
    gold = [row.get("label") for row in rows]
    in_scope = [(g, p) for g, p in zip(gold, predicted, strict=True) if g is not None and g != oos]
    out_scope = [p for g, p in zip(gold, predicted, strict=True) if g == oos]
    labelled = [(g, p) for g, p in zip(gold, predicted, strict=True) if g is not None]
    return {
        "questions": len(rows),
        "accuracy": _share(g == p for g, p in labelled),
        "in_scope_accuracy": _share(g == p for g, p in in_scope),
        "out_of_scope_recall": _share(p == oos for p in out_scope),
        "out_of_scope_precision": _share(g == oos for g, p in labelled if p == oos),
        "p50_ms": round(float(np.percentile(timings, 50)), 2) if timings else 0.0,
        "p95_ms": round(float(np.percentile(timings, 95)), 2) if timings else 0.0,
    }


def _share(flags) -> float | None:
    values = list(flags)
    return round(sum(values) / len(values), 4) if values else None
