"""bench/answers.py end to end on one question: the three modes reach the loopback reader (or
not) as they should, and each record keeps what the routing estimate reads afterwards."""

import json
import os
import subprocess
import sys
from pathlib import Path

from router.local_llm import local_llm_path
from router.prompts import SYSTEM_PROMPT

BENCH = Path(__file__).resolve().parents[2] / "bench"


# Two paragraphs and one question in xquad_dev's shape, so the test needs no data beside the project.
PASSAGES = [
    {"id": "leave-p", "title": "Leave", "en": "Full-time employees receive 25 working days of paid annual leave "
     "per calendar year. Up to 5 unused days may be carried over. Carried-over days must be taken by 31 March.",
     "zh": "全职员工每年有 25 个工作日的带薪年假。"},
    {"id": "vpn-p", "title": "VPN", "en": "VPN sessions end automatically after 12 hours. Private computers may "
     "not connect to the VPN. Use the browser-based portal for e-mail instead.", "zh": "VPN 会话 12 小时后自动结束。"},
]  # fmt: skip
QUESTION = {
    "id": "leave-q",
    "passage_id": "leave-p",
    "en": {
        "question": "How many days of paid annual leave do full-time employees receive?",
        "answers": ["25"],
    },
    "zh": {"question": "全职员工每年有多少天带薪年假？", "answers": ["25"]},
}


def eval_dir(root: Path) -> Path:
    folder = root / "eval" / "xquad_dev"
    folder.mkdir(parents=True)
    (folder / "passages.jsonl").write_text("".join(json.dumps(p) + "\n" for p in PASSAGES))
    (folder / "questions.jsonl").write_text(json.dumps(QUESTION) + "\n")
    return folder.parent


def test_one_question_is_answered_in_the_three_modes_and_recorded(tmp_path):
    records = tmp_path / "answers.jsonl"
    shown = subprocess.run(
        [sys.executable, str(BENCH / "answers.py"), "--per-set", "1", "--sets", "xquad-en", "--threads", "1",
         "--context", "4096", "--cloud-model", str(local_llm_path()), "--records", str(records)],
        capture_output=True, text=True, timeout=900, env={**os.environ, "KB_EVAL_DIR": str(eval_dir(tmp_path))},
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
