"""Quality routing estimated from bench/answers.py's records: which answers stay local, how
many cloud calls are left, and the quality kept against always sending to the cloud."""

import json
import subprocess
import sys
from pathlib import Path

from answer_routing import estimate, read_records

BENCH = Path(__file__).resolve().parents[2] / "bench"


def record(
    how: str,
    *,
    local_f1: float,
    cloud_f1: float,
    relevance: float,
    calls: int = 1,
    complexity=0.1,
    answer: str = "Here is what your documents say:\n\n> 25 bodies were exhumed in 2014. [1]",
):
    def scored(f1: float) -> dict:
        return {"f1": f1, "exact": f1 == 1.0, "contained": f1 > 0}

    return {
        "set": "xquad-en",
        "lang": "en",
        "answers": ["25"],
        "top_relevance": relevance,
        "modes": {
            "local": {
                "how": how,
                "answer": answer,
                "score": scored(local_f1),
                "complexity": complexity,
                "complexity_threshold": 0.4,
            },
            "condensed": {"cloud_calls": calls, "score": scored(cloud_f1)},
        },
    }


RECORDS = [
    record("model", local_f1=0.8, cloud_f1=1.0, relevance=0.3),  # a grounded draft: kept local
    record("quoted passages", local_f1=0.2, cloud_f1=0.6, relevance=0.75),  # a confident quote
    record("quoted passages", local_f1=0.0, cloud_f1=0.5, relevance=0.35),  # a weak quote: cloud
    record("fixed reply", local_f1=0.0, cloud_f1=0.0, relevance=0.2, calls=0),  # not found either way
]


def test_grounded_drafts_stay_local_and_only_they_without_a_quote_threshold():
    result = estimate(RECORDS, quote_relevance=None)

    assert (result["cloud_calls"], result["always_cloud_calls"]) == (2, 3)
    assert result["fewer_cloud_calls"] == round(1 - 2 / 3, 4)
    assert result["f1"] == round((0.8 + 0.6 + 0.5 + 0.0) / 4, 4)
    assert result["always_cloud_f1"] == round((1.0 + 0.6 + 0.5) / 4, 4)


def test_quotes_whose_best_chunk_is_relevant_enough_stay_local_too():
    result = estimate(RECORDS, quote_relevance=0.7)

    assert result["cloud_calls"] == 1
    assert result["f1"] == round((0.8 + 0.2 + 0.5) / 4, 4)
    assert result["f1_ratio"] == round(result["f1"] / result["always_cloud_f1"], 4)


def test_questions_that_need_reasoning_go_to_the_cloud_even_with_a_draft():
    needs_reasoning = [record("model", local_f1=0.8, cloud_f1=1.0, relevance=0.9, complexity=0.5)]

    assert estimate(needs_reasoning, quote_relevance=None)["cloud_calls"] == 0
    assert estimate(needs_reasoning, quote_relevance=None, reasoning_to_cloud=True)["cloud_calls"] == 1


def test_a_draft_can_be_scored_by_its_short_answer_below_the_quotes():
    quotes = (
        "Here is what your documents say:\n\n> In 2014 scientists examined 25 bodies exhumed in London. [1]"
    )
    drafted = record(
        "model", local_f1=0.1, cloud_f1=1.0, relevance=0.3, answer=quotes + "\n\nIn short: 25 [1]"
    )

    assert estimate([drafted], quote_relevance=None)["f1"] == 0.1  # as a whole: the quotes dilute it
    assert estimate([drafted], quote_relevance=None, short_answers=True)["f1"] == 1.0
    quoted = record("quoted passages", local_f1=0.2, cloud_f1=0.6, relevance=0.9, answer=quotes)
    assert estimate([quoted], quote_relevance=0.7, short_answers=True)["f1"] == 0.2  # no draft: the whole


def test_the_estimate_re_runs_from_a_saved_file(tmp_path):
    path = tmp_path / "answers.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))

    assert read_records(path) == RECORDS
    shown = subprocess.run(
        [sys.executable, str(BENCH / "answer_routing.py"), str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(shown.stdout)
    assert report["local_outcomes"] == {"model": 1, "quoted passages": 2, "fixed reply": 1}
    assert report["all"] == report["sets"]["xquad-en"]
    assert len(report["all_short_answers"]) == len(report["all"])
    assert [row["cloud_calls"] for row in report["all"] if row["quote_relevance"] in (None, 0.7)] == [2, 1]
