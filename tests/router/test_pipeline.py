"""The whole request path against the real index, models and an OpenAI-compatible cloud on
loopback. The recording proxy shows exactly what left the machine."""

import json
from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import call_command

from ingestion.models import Document
from ingestion.pipeline import ingest_document
from ingestion.services import document_submit
from router.config import cloud_config
from router.deps import cloud_gate, pipeline_deps
from router.pipeline import AskRequest, ask
from router.reasons import ReasonCode
from tests.conftest import FakeClock, group

pytestmark = pytest.mark.django_db

LEAVE = """# Leave policy

## Annual leave
Every employee receives 25 days of annual leave per calendar year. Unused days carry over until 31 March.
Requests are approved by the line manager in the HR portal at least two weeks in advance.

## Contacts
Questions about leave go to Maria Gonzalez (maria.gonzalez@northwind.example, +86 138 0013 8000).
"""
TRAVEL = """# Travel and expense policy

## Approval thresholds
Trips within the country need approval from the line manager. Trips abroad need approval from the
department director and, above 5,000 EUR, from the CFO as well.

## Per diem
The daily allowance is 60 EUR in Europe and 80 EUR in North America. Receipts are required above 25 EUR.
"""
CASE_NOTE = """# Disciplinary case note

The investigation into the warehouse incident concluded with a written warning for the employee.
The secret settlement amount is 12,345 EUR and must never leave HR.
"""
HARD_TRAVEL_QUESTION = "Compare the approval rules for trips abroad and within the country, and explain why the thresholds differ?"


def put(name: str, text: str, groups=(), sensitivity="internal") -> Document:
    result = document_submit(
        filename=name, data=text.encode(), uploaded_by=None, groups=[group(g) for g in groups],
        sensitivity=sensitivity, max_bytes=50_000_000, enqueue=False,
    )  # fmt: skip
    ingest_document(result.document.pk)
    result.document.refresh_from_db()
    assert result.document.status == "indexed", result.document.failure_reason
    return result.document


@pytest.fixture
def kb(empty_index, db):
    return {
        "leave": put("leave.md", LEAVE, groups=["employees"]),
        "travel": put("travel.md", TRAVEL, groups=["employees"]),
        "case": put("case-note.md", CASE_NOTE, groups=["hr"], sensitivity="restricted"),
    }


def cited_documents(meta: dict) -> set[int]:
    return {c["document_id"] for c in meta.citations}


def test_offline_mode_answers_locally_and_sends_nothing(kb, alice):
    trace, meta = ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice))

    assert trace.route == "local"
    assert "offline" in trace.reasons[0].text
    assert trace.cloud_payload is None
    assert kb["travel"].pk in cited_documents(meta)
    assert trace.answer


def test_a_hard_question_goes_to_the_cloud_condensed_and_de_identified(kb, alice, cloud):
    trace, _ = ask(AskRequest(question=HARD_TRAVEL_QUESTION + " Ask Maria Gonzalez if unsure.", user=alice))

    assert trace.route == "cloud", trace.reasons
    sent = json.dumps(cloud.requests[-1]["messages"], ensure_ascii=False)
    assert sent == json.dumps(trace.cloud_payload, ensure_ascii=False)
    assert "Maria Gonzalez" not in sent and "<PERSON_" in sent
    assert trace.tokens.condensed_context < trace.tokens.plain_rag_in
    assert trace.cost_usd.cloud <= trace.cost_usd.plain_rag
    assert trace.answer
    assert {s.where for s in trace.stages} == {"local", "cloud"}


def test_restricted_chunks_never_leave_the_machine(kb, alice, cloud):
    trace, meta = ask(
        AskRequest(
            question="Why did the disciplinary case end with a settlement, and how much was it?", user=alice
        )
    )

    assert trace.route == "local"
    assert any("restricted" in reason.text for reason in trace.reasons)
    assert cloud.requests == []
    assert kb["case"].pk in cited_documents(meta)


@pytest.mark.parametrize("persona", ["bob", "oscar"])
def test_a_user_never_gets_a_citation_to_a_document_they_may_not_read(kb, persona, request, cloud):
    user = request.getfixturevalue(persona)
    trace, meta = ask(
        AskRequest(question="What was the settlement amount of the disciplinary case?", user=user)
    )

    assert kb["case"].pk not in cited_documents(meta)
    assert all(r.document_id != kb["case"].pk for r in trace.retrieved)
    assert "12,345" not in trace.answer
    assert "12,345" not in json.dumps(cloud.requests)


def test_an_outsider_sees_nothing_of_the_employee_documents(kb, oscar):
    trace, meta = ask(AskRequest(question="How many days of annual leave do I get?", user=oscar))
    assert meta.citations == [] and trace.retrieved == []


@pytest.mark.parametrize("mode", ["500", "429", "drop", "slow"])
def test_a_failing_cloud_still_produces_an_answer(kb, alice, cloud, settings, mode):
    cloud.mode = mode
    settings.CLOUD_TIMEOUT_SECONDS = 1
    cloud.slow_seconds = 3

    trace, meta = ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice))

    assert trace.route == "fallback", trace.reasons
    assert any("cloud failed" in r.text for r in trace.reasons)
    assert trace.answer and trace.error is None
    assert kb["travel"].pk in cited_documents(meta)


def test_the_breaker_opens_after_failures_and_closes_after_a_good_probe(kb, alice, cloud, settings):
    settings.ROUTER_BREAKER_FAILURES = 2
    clock = FakeClock()
    deps = replace(pipeline_deps(), cloud=cloud_gate(cloud_config(), clock=clock))
    deps.cloud.reset()
    cloud.mode = "500"
    for _ in range(2):
        assert ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice), deps=deps)[0].route == "fallback"
    calls = cloud.calls

    trace, _ = ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice), deps=deps)
    assert trace.route == "local" and any("breaker is open" in r.text for r in trace.reasons)
    assert cloud.calls == calls  # the open breaker did not call the cloud

    clock.now += settings.ROUTER_BREAKER_COOLDOWN_SECONDS + 1
    cloud.mode = "ok"
    assert ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice), deps=deps)[0].route == "cloud"
    assert ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice), deps=deps)[0].route == "cloud"


def test_a_refused_key_opens_the_breaker_at_once(kb, alice, cloud):
    cloud.mode = "401"
    first, _ = ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice))
    assert first.route == "fallback" and ReasonCode.CLOUD_FAILED in first.reason_codes
    calls = cloud.calls

    second, _ = ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice))
    assert second.route == "local" and ReasonCode.CLOUD_REFUSED in second.reason_codes
    assert cloud.calls == calls


def test_a_user_over_the_daily_budget_is_answered_locally(kb, alice, cloud, settings):
    settings.ROUTER_DAILY_CLOUD_BUDGET_USD = 0.0
    trace, _ = ask(AskRequest(question=HARD_TRAVEL_QUESTION, user=alice))
    assert trace.route == "local" and any("budget" in r.text for r in trace.reasons)
    assert cloud.requests == []


def test_ask_json_prints_the_documented_fields(kb, alice):
    out = StringIO()
    call_command("ask", "How many days of annual leave do I get?", "--user", "alice", "--json", stdout=out)
    body = json.loads(out.getvalue())
    assert {
        "answer",
        "route",
        "reasons",
        "intent",
        "citations",
        "cloud_payload",
        "tokens",
        "latency_ms",
    } <= set(body)
    assert {"intent", "retrieve", "condense", "protect", "route"} <= set(body["latency_ms"])
    assert body["citations"][0]["document_id"] == kb["leave"].pk
    assert body["citations"][0]["title"]
    assert "25" in body["answer"]
