"""One request, stage by stage (DESIGN.md): intent → retrieve → condense → protect → route →
generate → post-process → audit. Reads top to bottom; each stage is a function of its own
module, and the trace records what each did, where and how long it took."""

import logging
from collections.abc import Generator, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from ingestion.embed import get_embedder
from router import generate
from router.budget import cloud_budget_left, cloud_usage_record
from router.condense import Passage, condense
from router.config import RouterConfig, router_config
from router.cost import cost_usd, estimate_tokens
from router.directory import directory_names
from router.intent import classify_intent
from router.policy import RouteInputs, decide_route
from router.postprocess import ComplianceRules, StreamPostProcessor
from router.protect import PlaceholderMap, find_personal_data, mask_known_values, protect_text
from router.retrieve import RetrievedPassage, retrieve
from router.rules import compliance_rules
from router.sentences import sentence_vectors_for
from router.trace import ComplianceAction, RetrievedChunk, Trace

logger = logging.getLogger(__name__)

# Retrieval that strong means the knowledge base does speak to the question, whatever the
# intent classifier thought; it keeps an in-scope question from being refused.
OUT_OF_SCOPE_OVERRIDE_SCORE = 0.55


@dataclass
class AskRequest:
    question: str
    user: Any
    channel: str = "cli"
    history: Sequence[tuple[str, str]] = ()
    mapping: PlaceholderMap = field(default_factory=PlaceholderMap)


@dataclass(frozen=True)
class Citation:
    number: int
    chunk_id: str
    document_id: int
    title: str
    heading: str
    page: int | None
    snippet: str


def run(request: AskRequest, *, config: RouterConfig | None = None) -> Iterator[dict]:
    """Stream the answer as events: `meta` (route, reasons, citations), `delta` (text),
    `notice` (e.g. a fallback), then `done` with the trace. The audit record is written
    whatever happens, failures included."""
    config = config or router_config()
    trace = Trace(
        question=request.question,
        username=request.user.get_username(),
        channel=request.channel,
        user_id=request.user.pk,
    )
    try:
        yield from _run(request, trace, config)
    except Exception as exc:
        logger.exception("request %s failed", trace.request_id)
        trace.error = f"{exc.__class__.__name__}: {exc}"
        yield {"type": "error", "message": "The assistant could not answer this request; it has been logged."}
    finally:
        _audit(trace)
    yield {"type": "done", "trace": trace}


def _run(request: AskRequest, trace: Trace, config: RouterConfig) -> Iterator[dict]:
    embedder = get_embedder()
    with trace.stage("intent") as detail:
        prediction = classify_intent(request.question)
        trace.intent, trace.intent_confidence = prediction.label, round(prediction.confidence, 3)
        detail.update(label=prediction.label, confidence=trace.intent_confidence)

    with trace.stage("retrieve") as detail:
        vector = embedder.embed([request.question])[0]
        passages = retrieve(
            question_vector=vector,
            user=request.user,
            limit=config.retrieve_top_k,
            min_relevance=config.min_relevance,
        )
        trace.retrieved = [_retrieved(p) for p in passages]
        detail.update(chunks=len(passages), documents=len({p.document_id for p in passages}))
    if trace.intent == "out_of_scope" and passages and passages[0].score >= OUT_OF_SCOPE_OVERRIDE_SCORE:
        trace.reasons.append(
            f"the intent looked out of scope, but a passage matches strongly ({passages[0].score:.2f})"
        )
        trace.intent = "general"

    with trace.stage("condense") as detail:
        condensed = condense(
            request.question,
            [Passage(chunk_id=p.chunk_id, text=p.text, title=p.title) for p in passages],
            budget_tokens=config.condense_budget_tokens,
            embedder=embedder,
            sentence_vectors=sentence_vectors_for([p.chunk_id for p in passages]),
        )
        context = condensed.render()
        trace.local_context = context
        citations = _citations(condensed, passages)
        trace.cited_document_ids = sorted({c.document_id for c in citations})
        plain_rag = generate.plain_rag_messages(request.question, passages)
        context_tokens, plain_tokens = estimate_tokens(context), estimate_tokens(generate.flatten(plain_rag))
        detail.update(
            source_chars=condensed.source_chars, condensed_chars=len(context), kept=len(condensed.kept)
        )

    with trace.stage("protect") as detail:
        known_names = directory_names()
        # Personal data in the passages this request drew on is registered first, so that it
        # is masked wherever it resurfaces: in the question, or in earlier answers (history).
        visible_values: set[str] = set()
        for text in [request.question, *(p.text for p in passages)]:
            for span in find_personal_data(text, known_names=known_names):
                request.mapping.placeholder_for(span.kind, span.value)
                visible_values.add(span.value)

        def protect(text: str) -> str:
            protected = protect_text(text, mapping=request.mapping, known_names=known_names).text
            return mask_known_values(protected, mapping=request.mapping)

        protected_context, protected_question = protect(context), protect(request.question)
        protected_history = [(role, protect(text)) for role, text in request.history]
        detail.update(placeholders=len(request.mapping.values))

    with trace.stage("route") as detail:
        cloud = generate.cloud_status()
        messages = generate.cloud_messages(protected_question, protected_context, protected_history)
        estimated_cost = cost_usd(
            prompt_tokens=estimate_tokens(generate.flatten(messages)),
            completion_tokens=config.answer_max_tokens,
            config=config,
        )
        decision = decide_route(
            RouteInputs(
                intent=trace.intent or "general",
                question=request.question,
                context_tokens=context_tokens,
                plain_rag_tokens=plain_tokens,
                documents_retrieved=len({p.document_id for p in passages}),
                restricted_titles=tuple(sorted({p.title for p in passages if p.sensitivity == "restricted"})),
                cloud_state=cloud.state,
                cloud_retry_in_seconds=cloud.retry_in_seconds,
                budget_left_usd=cloud_budget_left(request.user, config=config),
                estimated_cost_usd=estimated_cost,
                expected_cloud_ms=cloud.expected_ms,
                latency_budget_ms=config.latency_budget_ms,
                complexity_threshold=config.complexity_threshold,
                max_cloud_context_tokens=config.max_cloud_context_tokens,
            )
        )
        trace.route = decision.route
        trace.reasons += decision.reasons
        detail.update(route=decision.route, complexity=decision.complexity)
    trace.tokens["plain_rag_in"] = plain_tokens
    trace.tokens["condensed_context"] = context_tokens

    yield {
        "type": "meta",
        "request_id": trace.request_id,
        "route": trace.route,
        "reasons": list(trace.reasons),
        "intent": trace.intent,
        "citations": [c.__dict__ for c in citations],
    }

    rules = compliance_rules(visible_values=visible_values, user=request.user, known_names=known_names)
    if decision.route == "cloud":
        outcome = yield from generate.cloud_answer(messages, request.mapping, rules, trace, config)
        if outcome.failed:
            trace.route = "fallback"
            trace.reasons.append(f"the cloud failed ({outcome.error}); answered locally instead")
            yield {"type": "notice", "text": outcome.notice}
            yield from _local(request, trace, condensed, passages, rules, config)
        else:
            cloud_usage_record(user=request.user, cost=trace.cost_usd.get("cloud", 0.0))
    else:
        yield from _local(request, trace, condensed, passages, rules, config)
    _plain_rag_cost(trace, config)


def _local(
    request, trace, condensed, passages, rules: ComplianceRules, config: RouterConfig
) -> Iterator[dict]:
    # The local context was never de-identified, so there are no placeholders to restore.
    processor = StreamPostProcessor(mapping=PlaceholderMap(), rules=rules)
    with trace.stage("generate", "local") as detail:
        answer = generate.local_answer(
            request.question, trace.intent or "general", condensed, passages, config
        )
        how = yield from _post_processed(answer, processor, trace)
        detail.update(how=how)
        trace.models["local"] = generate.local_model_name() if how == "model" else f"extractive ({how})"
    with trace.stage("postprocess") as detail:
        tail = processor.flush()
        trace.compliance_actions += processor.actions
        detail.update(actions=len(processor.actions))
    if tail:
        trace.answer += tail
        yield {"type": "delta", "text": tail}


def _post_processed(
    pieces: Generator[str, None, str], processor: StreamPostProcessor, trace: Trace
) -> Generator[dict, None, str]:
    """Text events from an answer being written, through the post-processor; returns what the
    writer returned."""
    with closing(pieces):
        while True:
            try:
                piece = next(pieces)
            except StopIteration as finished:
                return finished.value
            text = processor.feed(piece)
            if text:
                trace.answer += text
                yield {"type": "delta", "text": text}


def _plain_rag_cost(trace: Trace, config: RouterConfig) -> None:
    completion = trace.tokens.get("cloud_out") or estimate_tokens(trace.answer)
    trace.cost_usd["plain_rag"] = cost_usd(
        prompt_tokens=trace.tokens["plain_rag_in"], completion_tokens=completion, config=config
    )
    trace.cost_usd.setdefault("cloud", 0.0)


def _retrieved(passage: RetrievedPassage) -> RetrievedChunk:
    return RetrievedChunk(
        chunk_id=passage.chunk_id,
        document_id=passage.document_id,
        title=passage.title,
        sensitivity=passage.sensitivity,
        score=passage.score,
        page=passage.page,
        heading=passage.heading,
    )


def _citations(condensed, passages: list[RetrievedPassage]) -> list[Citation]:
    by_chunk = {p.chunk_id: p for p in passages}
    citations = []
    for number, chunk_id in condensed.citation_key().items():
        passage = by_chunk[chunk_id]
        snippet = " ".join(k.text for k in condensed.kept if k.chunk_id == chunk_id)[:300]
        citations.append(
            Citation(
                number, chunk_id, passage.document_id, passage.title, passage.heading, passage.page, snippet
            )
        )
    return citations


def _audit(trace: Trace) -> None:
    from kb_assistant.audit.services import audit_request

    audit_request(trace=trace)


def ask(request: AskRequest, *, config: RouterConfig | None = None) -> tuple[Trace, dict]:
    """Run to the end and return the trace and the meta event (for `ask`, tests and the API)."""
    meta: dict = {}
    trace: Trace | None = None
    for event in run(request, config=config):
        if event["type"] == "meta":
            meta = event
        elif event["type"] == "done":
            trace = event["trace"]
    assert trace is not None
    return trace, meta


__all__ = ["AskRequest", "Citation", "ComplianceAction", "ask", "run"]
