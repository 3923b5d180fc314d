"""Generation on either side. Local: the small model when its answer sticks to the context,
otherwise the best passages quoted. Cloud: the condensed, de-identified messages streamed
through the post-processor; a failure reports back so the pipeline can fall back."""

import threading
import time
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass

from router.answers import (
    Quote,
    chitchat_answer,
    extractive_answer,
    grounded_sentences,
    is_chinese,
    no_context_answer,
    out_of_scope_answer,
)
from router.backends import Message, cloud_backend, local_backend
from router.breaker import cloud_breaker
from router.config import RouterConfig
from router.cost import cost_usd, estimate_tokens
from router.errors import BackendError
from router.postprocess import ComplianceRules, StreamPostProcessor
from router.prompts import HISTORY_PROMPT, SYSTEM_PROMPT, USER_PROMPT
from router.protect import PlaceholderMap
from router.trace import Trace

QUOTES_IN_LOCAL_ANSWER = 3
LOCAL_MODEL_MAX_TOKENS = 120
# The default small model writes English only and reads long prompts slowly on a CPU: past
# this much context, or for a Chinese question, its draft is never kept, so it is not asked.
LOCAL_MODEL_MAX_CONTEXT_CHARS = 1500


@dataclass(frozen=True)
class CloudStatus:
    state: str
    retry_in_seconds: float
    expected_ms: float


@dataclass(frozen=True)
class CloudOutcome:
    failed: bool
    error: str = ""
    notice: str = ""


class _Latency:
    """A moving average of recent cloud answer times, for the latency budget."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.ms = 0.0

    def record(self, ms: float) -> None:
        with self._lock:
            self.ms = ms if self.ms == 0 else 0.7 * self.ms + 0.3 * ms


cloud_latency = _Latency()


def cloud_status() -> CloudStatus:
    if cloud_backend() is None:
        return CloudStatus("offline", 0.0, 0.0)
    breaker = cloud_breaker().status()
    return CloudStatus(breaker.state, breaker.retry_in_seconds, cloud_latency.ms)


def flatten(messages: Sequence[Message]) -> str:
    return "\n".join(m["content"] for m in messages)


def cloud_messages(question: str, context: str, history: Sequence[tuple[str, str]]) -> list[Message]:
    """Exactly what would leave the machine: already condensed and de-identified inputs."""
    history_text = (
        HISTORY_PROMPT.format(history="\n".join(f"{r}: {t}" for r, t in history)) if history else ""
    )
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {
            "role": "user",
            "content": USER_PROMPT.format(history=history_text, context=context, question=question),
        },
    ]


def plain_rag_messages(question: str, passages: Sequence) -> list[Message]:
    """What plain RAG would have sent: every retrieved chunk, whole. Only counted, never sent."""
    context = "\n\n".join(f"[{n}] {p.title}\n{p.text}" for n, p in enumerate(passages, 1))
    return cloud_messages(question, context, ())


def cloud_answer(
    messages: list[Message],
    mapping: PlaceholderMap,
    rules: ComplianceRules,
    trace: Trace,
    config: RouterConfig,
) -> Generator[dict, None, CloudOutcome]:
    backend, breaker = cloud_backend(), cloud_breaker()
    if backend is None or not breaker.allow():
        return CloudOutcome(
            True, "the circuit breaker is open", "The cloud is paused after failures; answering locally."
        )
    trace.cloud_payload = messages
    trace.models["cloud"] = backend.name
    processor = StreamPostProcessor(mapping=mapping, rules=rules)
    raw: list[str] = []
    started = time.perf_counter()
    with trace.stage("generate", "cloud") as detail:
        try:
            completion = backend.stream(messages, max_tokens=config.answer_max_tokens, temperature=0.2)
            for chunk in completion.chunks:
                raw.append(chunk)
                text = processor.feed(chunk)
                if text:
                    trace.answer += text
                    yield {"type": "delta", "text": text}
        except BackendError as exc:
            breaker.record_failure()
            detail.update(error=str(exc))
            trace.tokens["cloud_in"] = estimate_tokens(flatten(messages))
            if trace.answer:
                notice = (
                    "\n\n(The cloud connection dropped mid-answer; the rest comes from this machine.)\n\n"
                )
            else:
                notice = "The cloud did not answer; this answer was produced on this machine."
            return CloudOutcome(True, str(exc), notice)
        breaker.record_success()
        cloud_latency.record((time.perf_counter() - started) * 1000)
    with trace.stage("postprocess"):
        tail = processor.flush()
        trace.compliance_actions += processor.actions
    if tail:
        trace.answer += tail
        yield {"type": "delta", "text": tail}
    usage = completion.usage
    trace.tokens["cloud_in"] = usage.prompt_tokens or estimate_tokens(flatten(messages))
    trace.tokens["cloud_out"] = usage.completion_tokens or estimate_tokens("".join(raw))
    trace.cost_usd["cloud"] = cost_usd(
        prompt_tokens=trace.tokens["cloud_in"], completion_tokens=trace.tokens["cloud_out"], config=config
    )
    return CloudOutcome(False)


def local_answer(
    question: str, intent: str, condensed, passages: Sequence, config: RouterConfig
) -> Generator[str, None, str]:
    """The local route's answer as it is written; returns how it was made ("fixed reply",
    "model", "quoted passages")."""
    if intent == "chitchat":
        yield chitchat_answer(question)
        return "fixed reply"
    if intent == "out_of_scope":
        yield out_of_scope_answer(question)
        return "fixed reply"
    if not passages or not condensed.kept:
        yield no_context_answer(question)
        return "fixed reply"
    context = condensed.render()
    if len(context) <= LOCAL_MODEL_MAX_CONTEXT_CHARS and not is_chinese(question):
        drafted = False
        for sentence in _local_model_draft(
            question, context, min(LOCAL_MODEL_MAX_TOKENS, config.answer_max_tokens)
        ):
            drafted = True
            yield sentence
        if drafted:
            return "model"
    yield extractive_answer(question, _best_quotes(condensed))
    return "quoted passages"


def _local_model_draft(question: str, context: str, max_tokens: int) -> Iterator[str]:
    """The small model's answer, streamed as far as it stays grounded in the context."""
    try:
        completion = local_backend().stream(
            cloud_messages(question, context, ()), max_tokens=max_tokens, temperature=0.1
        )
        with closing(completion.chunks):  # stopping early frees the model for the next request
            yield from grounded_sentences(completion.chunks, context)
    except (BackendError, OSError, ValueError):
        return


def _best_quotes(condensed) -> list[Quote]:
    numbers = {chunk_id: n for n, chunk_id in condensed.citation_key().items()}
    best = sorted(condensed.kept, key=lambda k: k.score, reverse=True)[:QUOTES_IN_LOCAL_ANSWER]
    in_reading_order = [k for k in condensed.kept if k in best]
    return [Quote(numbers[k.chunk_id], k.text) for k in in_reading_order]


def local_model_name() -> str:
    return local_backend().name
