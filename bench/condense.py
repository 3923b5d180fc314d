"""Condensation on SQuAD questions (shared/eval/condense_dev.jsonl): compression (passage
characters / condensed characters, citation tags included), share of questions whose
condensed text still holds a gold answer, and latency per question (sentence embeddings
made beforehand, as at ingestion; the question embedded inside the timed call). Runs the
real `eval_condense` command with its default budget. Prints one JSON object.
    .venv/bin/python bench/condense.py [--input PATH] [--budget TOKENS]
"""

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "condense_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, default=DATA)
    parser.add_argument("--budget", type=int, default=None, help="default: the command's own")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django
    from django.core.management import call_command

    django.setup()
    options = {} if args.budget is None else {"budget": args.budget}
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        call_command("eval_condense", str(args.input), out=Path(folder) / "out.jsonl", stdout=out, **options)
    summary = json.loads(out.getvalue())
    summary["targets"] = {"compression_ratio": 10, "answer_recall": 0.92}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
