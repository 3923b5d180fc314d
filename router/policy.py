"""The routing decision: a pure function from what is known about a request to a route and
the reasons a person can read. No I/O, so it is tested without a database or a network."""

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Literal

from ingestion.text import CJK_CHAR
from router.reasons import Reason, ReasonCode

Decision = Literal["local", "cloud", "fallback"]
CloudState = Literal["offline", "closed", "open", "half_open", "refused"]

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
    reasons: list[Reason] = field(default_factory=list)
    complexity: float = 0.0
    notice: str = ""  # what the reader is told about a fallback
    # Local only because it looks like a lookup, while the cloud could take it: when the local
    # model gives no supported answer in words, the cloud writes one below the quotes.
    may_escalate: bool = False


def estimate_complexity(question: str, *, documents_retrieved: int) -> float:
    """0 for a plain lookup, towards 1 for multi-part reasoning over several documents."""
    words = len(question.split()) + len(CJK_CHAR.findall(question)) // 2
    score = min(words / 40, 0.35)
    score += 0.35 if _REASONING_CUES.search(question) else 0.0
    score += 0.1 * max(0, question.count("?") + question.count("？") - 1)
    score += 0.1 * min(max(documents_retrieved - 1, 0), 2)
    score += 0.1 if re.search(r"\b(and|also|as well as)\b|以及|并且|同时", question, re.IGNORECASE) else 0.0
    return round(min(score, 1.0), 2)


def decide_route(inputs: RouteInputs) -> RouteDecision:
    complexity = estimate_complexity(inputs.question, documents_retrieved=inputs.documents_retrieved)
    local = next(chain(_what_keeps_it_local(inputs), _what_the_cloud_cannot_take(inputs, complexity)), None)
    if local is not None:
        return RouteDecision(
            "local", [local], complexity, may_escalate=local.code == ReasonCode.DIRECT_LOOKUP
        )
    saved = inputs.plain_rag_tokens - inputs.context_tokens
    reasons = [
        Reason(
            ReasonCode.NEEDS_REASONING,
            f"needs reasoning (complexity {complexity:.2f} ≥ {inputs.complexity_threshold:.2f}), intent {inputs.intent}",
        ),
        Reason(
            ReasonCode.TOKENS_SAVED,
            f"sending {inputs.context_tokens} condensed, de-identified tokens instead of {inputs.plain_rag_tokens} ({saved} saved)",
        ),
    ]
    if inputs.cloud_state == "half_open":
        reasons.append(
            Reason(ReasonCode.HALF_OPEN_PROBE, "this request probes the cloud after a breaker pause")
        )
    return RouteDecision("cloud", reasons, complexity)


def _what_keeps_it_local(inputs: RouteInputs) -> Iterator[Reason]:
    """The request itself stays on this machine, whatever the cloud's state."""
    if inputs.cloud_state == "offline":
        yield Reason(
            ReasonCode.OFFLINE, "offline mode: no cloud model is configured, everything runs on this machine"
        )
    if inputs.restricted_titles:
        titles = ", ".join(f"“{t}”" for t in inputs.restricted_titles)
        yield Reason(
            ReasonCode.RESTRICTED,
            f"the context includes restricted document(s) {titles}, which never leave this machine",
        )
    if inputs.intent in LOCAL_INTENTS:
        yield Reason(ReasonCode.LOCAL_INTENT, f"intent {inputs.intent}: {LOCAL_INTENTS[inputs.intent]}")
    if inputs.documents_retrieved == 0:
        yield Reason(
            ReasonCode.NO_CONTEXT,
            "nothing in the documents you may read matches the question, so there is nothing to reason over",
        )


def _what_the_cloud_cannot_take(inputs: RouteInputs, complexity: float) -> Iterator[Reason]:
    """The cloud could take the request, but not now, not at this price or not this one."""
    retry = f"{inputs.cloud_retry_in_seconds:.0f}s"
    if inputs.cloud_state == "refused":
        yield Reason(
            ReasonCode.CLOUD_REFUSED,
            f"the cloud refused our requests (key, model or endpoint), so it is not asked again for {retry}",
        )
    if inputs.cloud_state == "open":
        yield Reason(
            ReasonCode.BREAKER_OPEN,
            f"the cloud circuit breaker is open after repeated failures; next probe in {retry}",
        )
    if inputs.estimated_cost_usd > inputs.budget_left_usd:
        yield Reason(
            ReasonCode.OVER_BUDGET,
            f"your daily cloud budget is spent (${inputs.budget_left_usd:.4f} left, this would cost ${inputs.estimated_cost_usd:.4f})",
        )
    if inputs.expected_cloud_ms > inputs.latency_budget_ms:
        yield Reason(
            ReasonCode.OVER_LATENCY,
            f"the cloud answers in about {inputs.expected_cloud_ms / 1000:.1f}s, over the {inputs.latency_budget_ms / 1000:.1f}s latency budget",
        )
    if inputs.context_tokens > inputs.max_cloud_context_tokens:
        yield Reason(
            ReasonCode.CONTEXT_TOO_LONG,
            f"the condensed context ({inputs.context_tokens} tokens) is over the cloud limit of {inputs.max_cloud_context_tokens}",
        )
    if complexity < inputs.complexity_threshold:
        yield Reason(
            ReasonCode.DIRECT_LOOKUP,
            f"a direct lookup (complexity {complexity:.2f} < {inputs.complexity_threshold:.2f}): the cited passages answer it locally",
        )


def decide_escalation(decision: RouteDecision, *, local_how: str) -> RouteDecision | None:
    """A lookup kept local whose passages were quoted with no supported answer in words (the
    model's draft strayed, or was not worth asking for): the cloud writes that answer, from
    the same condensed, de-identified context. None when the local answer stands."""
    if not decision.may_escalate or local_how != "quoted passages":
        return None
    reason = Reason(
        ReasonCode.ESCALATED,
        "the local model gave no answer the passages support: the cloud answers below the quotes",
    )
    return RouteDecision("cloud", [reason])


# What the reader is told of a fallback, in the question's language like the answer
# (router.answers): (English, Chinese). Those that interrupt an answer stand apart from it.
FALLBACK_NOTICES = {
    "cut_off": (
        "\n\n(The cloud's answer was cut off before its end; the answer below comes from this machine.)\n\n",
        "\n\n（云端的回答未写完就中断了；下面的回答由本机生成。）\n\n",
    ),
    "paused": (
        "The cloud is paused after failures; answering locally.",
        "云端多次失败后已暂停，由本机回答。",
    ),
    "dropped": (
        "\n\n(The cloud connection dropped mid-answer; the rest comes from this machine.)\n\n",
        "\n\n（云端连接在回答中途断开；其余部分由本机生成。）\n\n",
    ),
    "failed": (
        "The cloud did not answer; this answer was produced on this machine.",
        "云端没有回答；此回答由本机生成。",
    ),
}


def decide_fallback(
    *, error: str, paused: bool, answered_some: bool, cut_off: bool = False, chinese: bool = False
) -> RouteDecision:
    """The cloud was chosen but did not (fully) answer: the rest comes from this machine.
    `paused`: the breaker stopped the call before it went out (another request's failure);
    `cut_off`: its stream ended cleanly but before the answer's end, which is easy to miss;
    `chinese`: the question is, so the notice is too."""
    if cut_off:
        reason = Reason(
            ReasonCode.CLOUD_CUT_OFF,
            f"the cloud's answer was cut off before its end ({error}); answered locally instead",
        )
        notice = "cut_off"
    elif paused:
        reason = Reason(
            ReasonCode.BREAKER_OPEN,
            "the cloud failed (the circuit breaker is open); answered locally instead",
        )
        notice = "paused"
    else:
        reason = Reason(ReasonCode.CLOUD_FAILED, f"the cloud failed ({error}); answered locally instead")
        notice = "dropped" if answered_some else "failed"
    in_english, in_chinese = FALLBACK_NOTICES[notice]
    return RouteDecision("fallback", [reason], notice=in_chinese if chinese else in_english)
    if paused:
        reason = Reason(
            ReasonCode.BREAKER_OPEN,
            "the cloud failed (the circuit breaker is open); answered locally instead",
        )
        return RouteDecision(
            "fallback", [reason], notice="The cloud is paused after failures; answering locally."
        )
    reason = Reason(ReasonCode.CLOUD_FAILED, f"the cloud failed ({error}); answered locally instead")
    if answered_some:
        notice = "\n\n(The cloud connection dropped mid-answer; the rest comes from this machine.)\n\n"
    else:
        notice = "The cloud did not answer; this answer was produced on this machine."
    return RouteDecision("fallback", [reason], notice=notice)
