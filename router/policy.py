"""The routing decision: a pure function from what is known about a request to a route and
the reasons a person can read. No I/O, so it is tested without a database or a network."""

import re
from dataclasses import dataclass, field
from typing import Literal

Decision = Literal["local", "cloud"]
CloudState = Literal["offline", "closed", "open", "half_open"]

LOCAL_INTENTS = {
    "chitchat": "small talk needs no deep reasoning",
    "out_of_scope": "the question is outside the knowledge base",
}

# Cues that a question needs reasoning over the context rather than a lookup, EN and ZH.
_REASONING_CUES = re.compile(
    r"\b(why|how (?:should|would|could|do i|can i)|compare|comparison|difference|differ|explain|calculate|"
    r"total|combine|versus|vs\.?|if .* then|what happens|which (?:is|one) better|pros and cons|summari[sz]e|"
    r"step[- ]by[- ]step|plan|draft|write)\b|为什么|如何|怎么办|比较|区别|差异|解释|计算|总共|合计|如果|总结|起草|步骤",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RouteInputs:
    intent: str
    question: str
    context_tokens: int
    plain_rag_tokens: int
    documents_retrieved: int
    restricted_titles: tuple[str, ...]
    cloud_state: CloudState
    cloud_retry_in_seconds: float
    budget_left_usd: float
    estimated_cost_usd: float
    expected_cloud_ms: float
    latency_budget_ms: int
    complexity_threshold: float
    max_cloud_context_tokens: int


@dataclass(frozen=True)
class RouteDecision:
    route: Decision
    reasons: list[str] = field(default_factory=list)
    complexity: float = 0.0


def estimate_complexity(question: str, *, documents_retrieved: int) -> float:
    """0 for a plain lookup, towards 1 for multi-part reasoning over several documents."""
    words = len(question.split()) + len(re.findall(r"[\u4e00-\u9fff]", question)) // 2
    score = min(words / 40, 0.35)
    score += 0.35 if _REASONING_CUES.search(question) else 0.0
    score += 0.1 * max(0, question.count("?") + question.count("？") - 1)
    score += 0.1 * min(max(documents_retrieved - 1, 0), 2)
    score += 0.1 if re.search(r"\b(and|also|as well as)\b|以及|并且|同时", question, re.IGNORECASE) else 0.0
    return round(min(score, 1.0), 2)


def decide_route(inputs: RouteInputs) -> RouteDecision:
    complexity = estimate_complexity(inputs.question, documents_retrieved=inputs.documents_retrieved)

    def local(*reasons: str) -> RouteDecision:
        return RouteDecision("local", list(reasons), complexity)

    if inputs.cloud_state == "offline":
        return local("offline mode: no cloud model is configured, everything runs on this machine")
    if inputs.restricted_titles:
        titles = ", ".join(f"“{t}”" for t in inputs.restricted_titles)
        return local(f"the context includes restricted document(s) {titles}, which never leave this machine")
    if inputs.intent in LOCAL_INTENTS:
        return local(f"intent {inputs.intent}: {LOCAL_INTENTS[inputs.intent]}")
    if inputs.documents_retrieved == 0:
        return local(
            "nothing in the documents you may read matches the question, so there is nothing to reason over"
        )
    if inputs.cloud_state == "open":
        return local(
            f"the cloud circuit breaker is open after repeated failures; next probe in {inputs.cloud_retry_in_seconds:.0f}s"
        )
    if inputs.estimated_cost_usd > inputs.budget_left_usd:
        return local(
            f"your daily cloud budget is spent (${inputs.budget_left_usd:.4f} left, this would cost ${inputs.estimated_cost_usd:.4f})"
        )
    if inputs.expected_cloud_ms > inputs.latency_budget_ms:
        return local(
            f"the cloud answers in about {inputs.expected_cloud_ms / 1000:.1f}s, over the {inputs.latency_budget_ms / 1000:.1f}s latency budget"
        )
    if inputs.context_tokens > inputs.max_cloud_context_tokens:
        return local(
            f"the condensed context ({inputs.context_tokens} tokens) is over the cloud limit of {inputs.max_cloud_context_tokens}"
        )
    if complexity < inputs.complexity_threshold:
        return local(
            f"a direct lookup (complexity {complexity:.2f} < {inputs.complexity_threshold:.2f}): the cited passages answer it locally"
        )
    saved = inputs.plain_rag_tokens - inputs.context_tokens
    reasons = [
        f"needs reasoning (complexity {complexity:.2f} ≥ {inputs.complexity_threshold:.2f}), intent {inputs.intent}",
        f"sending {inputs.context_tokens} condensed, de-identified tokens instead of {inputs.plain_rag_tokens} ({saved} saved)",
    ]
    if inputs.cloud_state == "half_open":
        reasons.append("this request probes the cloud after a breaker pause")
    return RouteDecision("cloud", reasons, complexity)
