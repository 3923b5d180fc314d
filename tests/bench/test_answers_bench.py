"""bench/answers.py end to end on one question: the three modes reach the loopback reader (or
not) as they should, and each record keeps what the routing estimate reads afterwards."""

import json
import subprocess
import sys
from pathlib import Path

from router.local_llm import local_llm_path
from router.prompts import SYSTEM_PROMPT

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_one_question_is_answered_in_the_three_modes_and_recorded(tmp_path):
    records = tmp_path / "answers.jsonl"
    shown = subprocess.run(
        [sys.executable, str(BENCH / "answers.py"), "--per-set", "1", "--sets", "xquad-en", "--threads", "1",
         "--context", "4096", "--cloud-model", str(local_llm_path()), "--records", str(records)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert shown.returncode == 0, f"{len(shown.stdout)} characters printed\n{shown.stderr[-3000:]}"
    figures = json.loads(shown.stdout)["sets"]["xquad-en"]
    assert figures["questions"] == 1
    assert [figures["modes"][m]["cloud_calls"] for m in ("plain_rag", "condensed", "local")] == [1, 1, 0]

    (record,) = [json.loads(line) for line in records.read_text().splitlines()]
    plain, condensed, local = (record["modes"][m] for m in ("plain_rag", "condensed", "local"))
    assert condensed["route"] == "cloud" and local["route"] == "local"
    assert condensed["payload"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    assert plain["cloud_in"] > condensed["cloud_in"] > 0  # the server's own counts
    assert condensed["gold_in_payload"] <= condensed["gold_in_context"]  # protect never adds the gold
    assert local["how"] in ("model", "quoted passages")
    assert 0 < record["top_relevance"] <= 1
    assert figures["token_ratio"] == round(plain["cloud_in"] / condensed["cloud_in"], 3)
