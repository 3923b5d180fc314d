"""`manage.py eval_redact`: de-identify a JSONL file, report counts, latency and, given gold
values, the scores."""

import io
import json

import pytest
from django.core.management import call_command

from router.models import CompanyIdPattern

pytestmark = pytest.mark.django_db  # the command reads the admin's company ID formats

LINES = [
    {
        "id": "en-1",
        "text": "Please forward the signed contract to Jacob Dean (jdean@example.net); if urgent call 871-860-7909.",
        "pii": {"name": "Jacob Dean", "email": "jdean@example.net", "phone": "871-860-7909"},
        "lang": "en",
    },
    {
        "id": "zh-1",
        "text": "员工徐建的身份证号为11010519491231002X，工资卡号6213930955972979267。",
        "pii": {"name": "徐建", "idn": "11010519491231002X", "card": "6213930955972979267"},
        "lang": "zh",
    },
]


def run(tmp_path, lines):
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text(
        "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8"
    )
    stdout = io.StringIO()
    call_command("eval_redact", str(source), out=str(out), stdout=stdout)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    return json.loads(stdout.getvalue()), written


def test_it_writes_redacted_lines_and_scores_them_against_gold_values(tmp_path):
    summary, written = run(tmp_path, LINES)

    assert [line["id"] for line in written] == ["en-1", "zh-1"]
    assert written[0]["redacted"] == (
        "Please forward the signed contract to <PERSON_1> (<EMAIL_1>); if urgent call <PHONE_1>."
    )
    assert written[1]["redacted"] == "员工<PERSON_1>的身份证号为<ID_1>，工资卡号<CARD_1>。"
    assert summary["lines"] == 2
    assert summary["replaced_by_kind"] == {"PERSON": 2, "EMAIL": 1, "PHONE": 1, "ID": 1, "CARD": 1}
    scores = summary["scores"]
    assert (scores["structured_removed"], scores["names_removed"], scores["other_words_destroyed"]) == (
        1.0,
        1.0,
        0.0,
    )
    assert scores["leaks"]["personal"] == {"values": 6, "leaked_whole": 0.0, "leaked_piece": 0.0}
    assert scores["by_kind"]["name"] == {
        "values": 2,
        "removed": 1.0,
        "leaked_whole": 0.0,
        "leaked_piece": 0.0,
    }
    assert set(scores["by_kind"]) == {"name", "email", "phone", "idn", "card"}
    assert summary["p95_ms"] >= summary["p50_ms"] > 0


def test_it_redacts_without_reading_the_gold_values(tmp_path):
    with_gold, _ = run(tmp_path, LINES)
    lying = [{**line, "pii": {"name": "nobody"}} for line in LINES]
    _, written_with_lies = run(tmp_path, lying)
    _, written_without = run(tmp_path, [{"id": line["id"], "text": line["text"]} for line in LINES])

    assert written_with_lies == written_without
    assert with_gold["replaced_by_kind"]["PERSON"] == 2


def test_without_gold_values_there_are_no_scores(tmp_path):
    summary, written = run(tmp_path, [{"id": "x", "text": "Nothing personal here."}])

    assert written == [{"id": "x", "redacted": "Nothing personal here."}]
    assert "scores" not in summary


def test_it_reports_leaks_per_kind_whole_and_in_part(tmp_path):
    lines = [
        {
            "id": "s-1",
            "text": "DB_PASSWORD=winter2026\nCall Dana Whitlock-Brae on Friday.",
            "pii": {"password": "winter2026", "name": ["Dana Whitlock-Brae"]},
        }
    ]
    summary, _ = run(tmp_path, lines)

    scores = summary["scores"]
    assert scores["by_kind"]["password"]["removed"] == 1.0
    assert scores["leaks"]["secrets"] == {"values": 1, "leaked_whole": 0.0, "leaked_piece": 0.0}
    assert set(scores["leaks"]) == {"personal", "secrets"}


def test_an_id_format_the_admin_added_is_masked_as_in_a_request(tmp_path):
    line = {"id": "badge", "text": "Badge NW20481K was found at the gate.", "pii": {"idn": "NW20481K"}}
    assert run(tmp_path, [line])[1][0]["redacted"] == line["text"]

    CompanyIdPattern.objects.create(name="badge", regex=r"NW\d{5}[A-Z]", example="NW20481K")

    assert run(tmp_path, [line])[1][0]["redacted"] == "Badge <ID_1> was found at the gate."
