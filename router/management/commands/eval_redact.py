"""`manage.py eval_redact INPUT.jsonl --out OUT.jsonl`: de-identify each line's text, one
conversation per line, and print a JSON summary. Redaction reads only `text`: a gold `pii`
field, when present, is used for the scores and nothing else, so they stay honest."""

import json
import time
from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand

from router.pii.company import refresh_company_formats
from router.protect import PlaceholderMap, protect_text
from router.redaction_score import score_all


class Command(BaseCommand):
    help = "De-identify each line's text; write {id, redacted} lines and print a JSON summary."
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path)
        parser.add_argument("--out", type=Path, required=True)

    def handle(self, *args, input: Path, out: Path, **options) -> None:
        rows = [
            json.loads(line) for line in Path(input).read_text(encoding="utf-8").splitlines() if line.strip()
        ]
        refresh_company_formats()  # the admin's ID formats and own names count, as in a request
        # Loading the recognizers is not a line's time.
        protect_text("warm-up a@b.co", mapping=PlaceholderMap())
        kinds: Counter = Counter()
        timings, scored = [], []
        with Path(out).open("w", encoding="utf-8") as sink:
            for row in rows:
                started = time.perf_counter()
                result = protect_text(row["text"], mapping=PlaceholderMap())
                timings.append((time.perf_counter() - started) * 1000)
                kinds.update(r.kind for r in result.replacements)
                sink.write(json.dumps({"id": row["id"], "redacted": result.text}, ensure_ascii=False) + "\n")
                if isinstance(row.get("pii"), dict):
                    scored.append((row["text"], result.text, row["pii"]))
        summary = {
            "lines": len(rows),
            "replaced_by_kind": dict(kinds),
            "p50_ms": _percentile(timings, 0.50),
            "p95_ms": _percentile(timings, 0.95),
        }
        if scored:
            summary["scores"] = score_all(scored)
        self.stdout.write(json.dumps(summary, ensure_ascii=False))


def _percentile(values: list[float], share: float) -> float:
    return round(sorted(values)[int(share * (len(values) - 1))], 2) if values else 0.0
