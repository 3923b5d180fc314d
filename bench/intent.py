"""Intent classifier on the CLINC dev split (shared/eval/intent_dev): accuracy with
out-of-scope included, in-scope accuracy, out-of-scope recall, and latency per question
measured one question at a time, embedding included. Runs the real `eval_intent` command.
Prints one JSON object.
    .venv/bin/python bench/intent.py [--train PATH] [--test PATH]
"""

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "intent_dev"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=Path, default=DATA / "train.jsonl")
    parser.add_argument("--test", type=Path, default=DATA / "test.jsonl")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import django
    from django.core.management import call_command

    django.setup()
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        call_command(
            "eval_intent", train=args.train, test=args.test, out=Path(folder) / "out.jsonl", stdout=out
        )
    summary = json.loads(out.getvalue())
    summary["targets"] = {"accuracy": 0.93, "p95_ms": 30}
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
