"""The routing decision is pure: no database, no network."""

import re
from dataclasses import replace

import pytest

from router.policy import RouteInputs, decide_fallback, decide_route, estimate_complexity
from router.reasons import ReasonCode

HARD_QUESTION = "Compare the travel approval rules for trips abroad and explain why the thresholds differ?"

BASE = RouteInputs(
    intent="finance",
    question=HARD_QUESTION,
    context_tokens=180,
    plain_rag_tokens=1900,
    documents_retrieved=2,
    restricted_titles=(),
    cloud_state="closed",
    cloud_retry_in_seconds=0,
    budget_left_usd=1.0,
    estimated_cost_usd=0.001,
    expected_cloud_ms=2000,
    latency_budget_ms=30000,
    complexity_threshold=0.4,
    max_cloud_context_tokens=3000,
)


def test_it_sends_a_hard_question_to_the_cloud_and_says_what_it_saves():
    decision = decide_route(BASE)
    assert decision.route == "cloud"
    assert any("1900" in reason.text and "180" in reason.text for reason in decision.reasons)
    assert [r.code for r in decision.reasons] == [ReasonCode.NEEDS_REASONING, ReasonCode.TOKENS_SAVED]


@pytest.mark.parametrize(
    ("change", "reason_fragment", "code"),
    [
        ({"cloud_state": "offline"}, "offline", ReasonCode.OFFLINE),
        ({"restricted_titles": ("HR case notes",)}, "restricted", ReasonCode.RESTRICTED),
        ({"intent": "chitchat"}, "small talk", ReasonCode.LOCAL_INTENT),
        ({"intent": "out_of_scope"}, "outside", ReasonCode.LOCAL_INTENT),
        ({"documents_retrieved": 0}, "nothing", ReasonCode.NO_CONTEXT),
        ({"cloud_state": "refused", "cloud_retry_in_seconds": 12}, "refused", ReasonCode.CLOUD_REFUSED),
        ({"cloud_state": "open", "cloud_retry_in_seconds": 12}, "breaker", ReasonCode.BREAKER_OPEN),
        ({"budget_left_usd": 0.0}, "budget", ReasonCode.OVER_BUDGET),
        ({"expected_cloud_ms": 45000}, "latency", ReasonCode.OVER_LATENCY),
        ({"context_tokens": 5000}, "limit", ReasonCode.CONTEXT_TOO_LONG),
        ({"question": "What is the VPN address?"}, "lookup", ReasonCode.DIRECT_LOOKUP),
    ],
)
def test_it_keeps_the_request_local_and_says_why(change, reason_fragment, code):
    decision = decide_route(replace(BASE, **change))
    assert decision.route == "local"
    assert reason_fragment in " ".join(r.text for r in decision.reasons)
    assert [r.code for r in decision.reasons] == [code]


def test_it_keeps_restricted_documents_local_even_when_the_question_is_hard():
    decision = decide_route(replace(BASE, restricted_titles=("Salary bands",)))
    assert decision.route == "local" and "Salary bands" in decision.reasons[0].text


def test_a_half_open_breaker_lets_the_request_probe_the_cloud():
    decision = decide_route(replace(BASE, cloud_state="half_open"))
    assert decision.route == "cloud" and "probe" in decision.reasons[-1].text


def test_complexity_grows_with_reasoning_cues_in_english_and_chinese():
    assert estimate_complexity("VPN address?", documents_retrieved=1) < 0.4
    assert estimate_complexity(HARD_QUESTION, documents_retrieved=2) >= 0.4
    assert estimate_complexity("为什么出差审批的金额门槛不同？请比较并解释", documents_retrieved=2) >= 0.4


@pytest.mark.parametrize(
    ("paused", "answered_some", "code", "notice"),
    [
        (True, False, ReasonCode.BREAKER_OPEN, "paused"),
        (False, False, ReasonCode.CLOUD_FAILED, "did not answer"),
        (False, True, ReasonCode.CLOUD_FAILED, "mid-answer"),
    ],
)
def test_a_failed_cloud_falls_back_with_one_reason_and_a_notice(paused, answered_some, code, notice):
    decision = decide_fallback(error="timed out", paused=paused, answered_some=answered_some)
    assert decision.route == "fallback"
    assert [r.code for r in decision.reasons] == [code] and notice in decision.notice


@pytest.mark.parametrize(
    ("failure", "words"),
    [
        ({"cut_off": True}, "未写完"),
        ({"paused": True}, "暂停"),
        ({"answered_some": True}, "中途断开"),
        ({}, "没有回答"),
    ],
)
def test_a_chinese_question_is_told_of_a_fallback_in_chinese(failure, words):
    failure = {"paused": False, "answered_some": False, **failure}
    decision = decide_fallback(error="timed out", chinese=True, **failure)
    assert words in decision.notice and not re.search("[A-Za-z]", decision.notice)
    assert decision.reasons == decide_fallback(error="timed out", **failure).reasons  # codes stay the same
