"""De-identification on the redaction dev file (shared/eval/redact_dev.jsonl): share of
structured values and of names gone from the output, share of other words destroyed, and
latency per text, measured one text at a time. Runs the real `eval_redact` command, whose
scores come from `router.redaction_score`. Prints one JSON object.
    .venv/bin/python bench/redact.py [--input PATH]
"""

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "eval" / "redact_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, default=DATA)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")
    import django
    from django.core.management import call_command

    django.setup()
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        call_command("eval_redact", args.input, out=Path(folder) / "out.jsonl", stdout=out)
    summary = json.loads(out.getvalue())
    summary["targets"] = {"structured_removed": 0.99, "names_removed": 0.90, "other_words_destroyed": 0.05}
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
