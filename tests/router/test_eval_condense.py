"""`manage.py eval_condense`: condense each question's passages, report compression and
whether the gold answer survived."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

ROWS = [
    {
        "id": "q1",
        "question": "In what year was the Eiffel Tower completed?",
        "passages": [
            "The Eiffel Tower is a wrought-iron lattice tower in Paris. It was completed in 1889 as the entrance "
            "to the World's Fair. It is named after the engineer Gustave Eiffel.",
            "The Louvre is the world's most-visited museum. It houses the Mona Lisa. The museum opened in 1793.",
            "Paris has an extensive metro network. The first line opened in 1900. Sixteen lines serve the city today.",
        ],
        "answers": ["1889"],
    },
    {
        "id": "q2",
        "question": "Which river flows through Paris?",
        "passages": [
            "Paris is the capital of France. The Seine flows through the city from east to west. Its banks are a "
            "World Heritage Site.",
            "French cuisine is famous worldwide. Bread and cheese are staples. Wine is produced in many regions.",
        ],
        "answers": ["Seine", "the Seine"],
    },
]


@pytest.fixture
def input_file(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in ROWS), encoding="utf-8")
    return path


def _run(input_file, out, **options) -> dict:
    stdout = io.StringIO()
    call_command("eval_condense", str(input_file), out=str(out), stdout=stdout, **options)
    return json.loads(stdout.getvalue())


def test_it_writes_the_condensed_text_and_a_summary(input_file, tmp_path):
    out = tmp_path / "out.jsonl"

    summary = _run(input_file, out)

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["q1", "q2"]
    assert "1889" in lines[0]["condensed"] and lines[0]["condensed"].startswith("[1] ")
    assert "Seine" in lines[1]["condensed"]
    assert summary["questions"] == 2
    assert summary["answer_recall"] == 1.0
    source = sum(len(p) for row in ROWS for p in row["passages"])
    condensed = sum(len(line["condensed"]) for line in lines)
    assert summary["compression_ratio"] == round(source / condensed, 2)
    assert summary["compression_ratio"] > 2
    assert {"mean_compression_ratio", "p50_ms", "p95_ms", "budget_tokens"} <= set(summary)


def test_the_gold_answers_are_used_only_for_scoring(input_file, tmp_path):
    _run(input_file, tmp_path / "a.jsonl")
    other = tmp_path / "other.jsonl"
    other.write_text(
        "".join(json.dumps({**row, "answers": ["something else"]}) + "\n" for row in ROWS), encoding="utf-8"
    )

    summary = _run(other, tmp_path / "b.jsonl")

    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()
    assert summary["answer_recall"] == 0.0


def test_a_smaller_budget_gives_a_shorter_context(input_file, tmp_path):
    roomy = _run(input_file, tmp_path / "roomy.jsonl", budget=200)
    tight = _run(input_file, tmp_path / "tight.jsonl", budget=12)

    assert tight["condensed_chars"] < roomy["condensed_chars"]


def test_a_line_without_passages_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "question": "?"}) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match="line 1"):
        call_command("eval_condense", str(bad), out=str(tmp_path / "out.jsonl"))
