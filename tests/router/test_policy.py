"""The routing decision is pure: no database, no network."""

from dataclasses import replace

import pytest

from router.policy import RouteInputs, decide_route, estimate_complexity

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
    assert any("1900" in reason and "180" in reason for reason in decision.reasons)


@pytest.mark.parametrize(
    ("change", "reason_fragment"),
    [
        ({"cloud_state": "offline"}, "offline"),
        ({"restricted_titles": ("HR case notes",)}, "restricted"),
        ({"intent": "chitchat"}, "small talk"),
        ({"intent": "out_of_scope"}, "outside"),
        ({"documents_retrieved": 0}, "nothing"),
        ({"cloud_state": "open", "cloud_retry_in_seconds": 12}, "breaker"),
        ({"budget_left_usd": 0.0}, "budget"),
        ({"expected_cloud_ms": 45000}, "latency"),
        ({"context_tokens": 5000}, "limit"),
        ({"question": "What is the VPN address?"}, "lookup"),
    ],
)
def test_it_keeps_the_request_local_and_says_why(change, reason_fragment):
    decision = decide_route(replace(BASE, **change))
    assert decision.route == "local"
    assert reason_fragment in " ".join(decision.reasons)


def test_it_keeps_restricted_documents_local_even_when_the_question_is_hard():
    decision = decide_route(replace(BASE, restricted_titles=("Salary bands",)))
    assert decision.route == "local" and "Salary bands" in decision.reasons[0]


def test_a_half_open_breaker_lets_the_request_probe_the_cloud():
    decision = decide_route(replace(BASE, cloud_state="half_open"))
    assert decision.route == "cloud" and "probe" in decision.reasons[-1]


def test_complexity_grows_with_reasoning_cues_in_english_and_chinese():
    assert estimate_complexity("VPN address?", documents_retrieved=1) < 0.4
    assert estimate_complexity(HARD_QUESTION, documents_retrieved=2) >= 0.4
    assert estimate_complexity("为什么出差审批的金额门槛不同？请比较并解释", documents_retrieved=2) >= 0.4
