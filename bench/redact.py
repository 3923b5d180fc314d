"""De-identification on the redaction dev files (shared/eval/redact_dev.jsonl, our synthetic
cases of every kind, English and Chinese, in bench/data/redact_synthetic.jsonl, and single-word
names in no directory with lines that carry none, in bench/data/redact_single_names.jsonl, and a
second such set written later, bench/data/redact_single_names_holdout.jsonl): values leaked
whole and in part, personal and secret, recall per kind, share of other words destroyed, and
latency per text, measured one text at a time. Runs the real `eval_redact` command, whose
scores come from `router.redaction_score`. Prints one JSON object, keyed by file.
    .venv/bin/python bench/redact.py [--input PATH ...]
"""

import argparse
import io
import json
import tempfile
from pathlib import Path

from _setup import ROOT, django_in_temp_dir

DATA = (
    ROOT.parent / "shared" / "eval" / "redact_dev.jsonl",
    ROOT / "bench" / "data" / "redact_synthetic.jsonl",
    ROOT / "bench" / "data" / "redact_single_names.jsonl",
    ROOT / "bench" / "data" / "redact_single_names_holdout.jsonl",
)
TARGETS = {
    "personal_leaked_whole": 0.005,
    "personal_leaked_piece": 0.01,
    "secrets_leaked_whole": 0.02,
    "secrets_leaked_piece": 0.05,
    "other_words_destroyed": 0.05,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, nargs="+", default=DATA)
    args = parser.parse_args()
    django_in_temp_dir()  # a migrated throw-away database: the command reads the admin's ID formats
    from django.core.management import call_command

    summaries = {}
    for path in args.input:
        out = io.StringIO()
        with tempfile.TemporaryDirectory() as folder:
            call_command("eval_redact", path, out=Path(folder) / "out.jsonl", stdout=out)
        summaries[path.name] = json.loads(out.getvalue())
    print(json.dumps({"files": summaries, "targets": TARGETS}, ensure_ascii=False))


if __name__ == "__main__":
    main()
