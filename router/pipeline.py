"""One request, stage by stage (DESIGN.md): resolve → intent → retrieve → condense → protect → route →
generate → post-process → audit. `_run` reads top to bottom with one call per stage; each
stage is a function of its own module, and the trace records what each did, where and how
long it took. Everything the stages call out to comes in as `PipelineDeps`."""

import logging
from collections.abc import Generator, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from router import generate
from router.answers import draft_lead, is_chinese
from router.cloud import CloudPaused
from router.condense import CondensedContext, Passage, condense
from router.config import RouterConfig, router_config
from router.cost import cost_usd, estimate_tokens
from router.deps import PipelineDeps, pipeline_deps
from router.errors import BackendError, StreamCutOff
from router.events import Delta, Done, Event, Failed, Meta, Notice
from router.followed import answer_checks
from router.injection import links_in, screen_passages
from router.policy import RouteDecision, RouteInputs, decide_escalation, decide_fallback, decide_route
from router.postprocess import StreamPostProcessor
from router.prompts import cloud_messages, flatten, plain_rag_messages
from router.protect import PlaceholderMap, ProtectedRequest, protect_request
from router.reasons import Reason, ReasonCode
from router.resolve import resolve_question
from router.retrieve import RetrievedPassage, retrieve
from router.trace import Channel, ComplianceAction, FoundInstruction, RetrievedChunk, Trace

logger = logging.getLogger(__name__)
T = TypeVar("T")

FAILED_MESSAGE = "The assistant could not answer this request; it has been logged."
FOLLOWED_NOTICE = (
    "This answer may follow an instruction hidden in a document ({reasons}); it has been logged. "
    "Read it with care."
)
# In Chinese the reasons (recorded English detail) stay in the audit record.
FOLLOWED_NOTICE_ZH = "此回答可能执行了文档中隐藏的指令，已记录在案。请谨慎阅读。"


@dataclass
class AskRequest:
    question: str
    user: Any
    channel: Channel = "cli"
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
    ocr: bool = False


@dataclass(frozen=True)
class _Job:
    """One request on its way through the stages."""

    request: AskRequest
    trace: Trace
    deps: PipelineDeps
    config: RouterConfig


@dataclass(frozen=True)
class Evidence:
    """What retrieval and condensing found for the question, with its citations."""

    passages: list[RetrievedPassage]
    condensed: CondensedContext
    context: str
    citations: list[Citation]


def run(
    request: AskRequest, *, deps: PipelineDeps | None = None, config: RouterConfig | None = None
) -> Iterator[Event]:
    """Stream the answer as events: Meta (route, reasons, citations), Delta (text), Notice
    (e.g. a fallback), then Done with the trace. The audit record is written whatever
    happens, failures included."""
    deps = deps or pipeline_deps()
    config = config or router_config()
    trace = Trace(
        question=request.question,
        username=request.user.get_username(),
        channel=request.channel,
        user_id=request.user.pk,
    )
    try:
        yield from _run(_Job(request, trace, deps, config))
    except Exception as exc:
        logger.exception("request %s failed", trace.request_id)
        trace.error = f"{exc.__class__.__name__}: {exc}"
        yield Failed(FAILED_MESSAGE)
    finally:
        deps.audit(trace=trace)
    yield Done(trace)


def _run(job: _Job) -> Iterator[Event]:
    job = _resolve(job)
    _intent(job)
    passages = _retrieve(job)
    evidence = _condense(job, passages)
    protected = _protect(job, evidence)
    decision = _route(job, evidence, protected)
    yield _meta(job.trace, decision, evidence)
    processor = _post_processor(job, protected)
    yield from _generate(job, decision, evidence, protected, processor)
    yield from _postprocess(job, processor)


def _resolve(job: _Job) -> _Job:
    """A follow-up becomes a standalone question, and every later stage reads that one; the
    trace keeps the question as asked. What may leave is the resolved question, through the
    protect stage like any question."""
    request = job.request
    with job.trace.stage("resolve") as detail:
        resolution = resolve_question(request.question, request.history)
        detail.update(changed=resolution.changed)
        if resolution.changed:
            detail.update(question=resolution.question)
    if not resolution.changed:
        return job
    return replace(job, request=replace(request, question=resolution.question))


def _intent(job: _Job) -> None:
    trace = job.trace
    with trace.stage("intent") as detail:
        prediction = job.deps.intents.classify(job.request.question)
        trace.intent, trace.intent_confidence = prediction.label, round(prediction.confidence, 3)
        detail.update(label=prediction.label, confidence=trace.intent_confidence)


def _retrieve(job: _Job) -> list[RetrievedPassage]:
    """What the user may read that is relevant enough. Scope is the evidence's to decide: an
    "out of scope" label over relevant passages is overruled, and small talk needs none."""
    trace = job.trace
    with trace.stage("retrieve") as detail:
        vector = job.deps.embedder.embed([job.request.question], kind="query")[0]
        retrieval = retrieve(
            question=job.request.question,
            question_vector=vector,
            user=job.request.user,
            index=job.deps.index,
            limit=job.config.retrieve_top_k,
        )
        passages = retrieval.passages
        detail.update(
            chunks=len(passages),
            documents=len({p.document_id for p in passages}),
            withheld_by_access=retrieval.withheld_by_access,
        )
    if trace.intent == "chitchat":
        passages = []
    elif trace.intent == "out_of_scope" and passages:
        trace.reasons.append(
            Reason(
                ReasonCode.SCOPE_OVERRIDE,
                f"the intent looked out of scope, but documents you may read match it (relevance {passages[0].relevance:.2f})",
            )
        )
        trace.intent = "general"
    trace.retrieved = [_retrieved(p) for p in passages]
    return passages


def _condense(job: _Job, passages: list[RetrievedPassage]) -> Evidence:
    trace, question = job.trace, job.request.question
    with trace.stage("condense") as detail:
        screened = screen_passages(
            question,
            [Passage(chunk_id=p.chunk_id, text=p.text, title=p.title, heading=p.heading) for p in passages],
            job.deps.index.sentence_vectors([p.chunk_id for p in passages]),
        )
        _record_instructions(trace, screened.found)
        condensed = condense(
            question,
            screened.passages,
            budget_tokens=job.config.condense_budget_tokens,
            embedder=job.deps.embedder,
            sentence_vectors=screened.sentence_vectors,
        )
        context = condensed.render()
        trace.local_context = context
        citations = _citations(condensed, passages)
        trace.cited_document_ids = sorted({c.document_id for c in citations})
        trace.tokens.plain_rag_in = estimate_tokens(flatten(plain_rag_messages(question, passages)))
        trace.tokens.condensed_context = estimate_tokens(context)
        detail.update(
            source_chars=condensed.source_chars,
            condensed_chars=len(context),
            kept=len(condensed.kept),
            instructions=len(screened.found),
        )
    return Evidence(passages, condensed, context, citations)


def _record_instructions(trace: Trace, found: list[FoundInstruction]) -> None:
    """Instructions found in the documents are data: the trace (and so the audit) keeps each,
    and one compliance action per kind of decision makes such requests easy to filter."""
    trace.instructions += found
    for action in sorted({f.action for f in found}):
        count = sum(f.action == action for f in found)
        documents = len({f.chunk_id for f in found if f.action == action})
        trace.compliance_actions.append(
            ComplianceAction(
                f"instruction_{action}",
                f"{count} sentence(s) giving the assistant instructions {action} from the context ({documents} chunk(s))",
            )
        )


def _protect(job: _Job, evidence: Evidence) -> ProtectedRequest:
    request = job.request
    with job.trace.stage("protect") as detail:
        protected = protect_request(
            question=request.question,
            context=evidence.context,
            passages=[p.text for p in evidence.passages],
            history=request.history,
            mapping=request.mapping,
            known_names=job.deps.directory.names(),
        )
        detail.update(placeholders=len(request.mapping.values))
    return protected


def _route(job: _Job, evidence: Evidence, protected: ProtectedRequest) -> RouteDecision:
    trace = job.trace
    with trace.stage("route") as detail:
        decision = decide_route(_route_inputs(job, evidence, protected))
        trace.route = decision.route
        trace.reasons += decision.reasons
        detail.update(route=decision.route, complexity=decision.complexity)
    return decision


def _route_inputs(job: _Job, evidence: Evidence, protected: ProtectedRequest) -> RouteInputs:
    """Everything the pure policy looks at, read now: the cloud's state, the user's budget."""
    trace, config = job.trace, job.config
    cloud = job.deps.cloud.status()
    messages = cloud_messages(protected.question, protected.context, protected.history)
    passages = evidence.passages
    return RouteInputs(
        intent=trace.intent or "general",
        question=job.request.question,
        context_tokens=trace.tokens.condensed_context,
        plain_rag_tokens=trace.tokens.plain_rag_in,
        documents_retrieved=len({p.document_id for p in passages}),
        restricted_titles=tuple(sorted({p.title for p in passages if p.sensitivity == "restricted"})),
        cloud_state=cloud.state,
        cloud_retry_in_seconds=cloud.retry_in_seconds,
        budget_left_usd=job.deps.budget.left(job.request.user),
        estimated_cost_usd=cost_usd(
            prompt_tokens=estimate_tokens(flatten(messages)),
            completion_tokens=config.answer_max_tokens,
            config=config,
        ),
        expected_cloud_ms=cloud.expected_ms,
        latency_budget_ms=config.latency_budget_ms,
        complexity_threshold=config.complexity_threshold,
        max_cloud_context_tokens=config.max_cloud_context_tokens,
    )


def _meta(trace: Trace, decision: RouteDecision, evidence: Evidence) -> Meta:
    return Meta(
        request_id=trace.request_id,
        route=decision.route,
        reasons=trace.reason_texts,
        intent=trace.intent or "",
        citations=[c.__dict__ for c in evidence.citations],
    )


def _post_processor(job: _Job, protected: ProtectedRequest) -> StreamPostProcessor:
    """One for the whole answer, whichever side writes it: the cloud's placeholders go back,
    and the compliance filter knows what the user could already see."""
    rules = job.deps.rules.for_request(
        user=job.request.user,
        visible_values=protected.visible_values,
        known_names=protected.known_names,
        visible_text=protected.visible_text,
    )
    # An instruction's links never reach the reader, even from a model that saw it fenced.
    planted = sorted({link for found in job.trace.instructions for link in links_in(found.text)})
    if planted:
        rules = replace(rules, blocked_terms=[*rules.blocked_terms, *planted])
    return StreamPostProcessor(mapping=job.request.mapping, rules=rules)


def _generate(
    job: _Job,
    decision: RouteDecision,
    evidence: Evidence,
    protected: ProtectedRequest,
    processor: StreamPostProcessor,
) -> Iterator[Event]:
    """The chosen side writes the answer; a cloud that fails hands over to this machine, and
    a lookup this machine could only quote may go on to the cloud."""
    trace = job.trace
    if decision.route == "cloud":
        try:
            yield from _cloud(job, protected, processor)
            return
        except BackendError as exc:
            decision = decide_fallback(
                error=str(exc),
                paused=isinstance(exc, CloudPaused),
                answered_some=bool(trace.answer),
                cut_off=isinstance(exc, StreamCutOff),
                chinese=is_chinese(job.request.question),
            )
            trace.route = decision.route
            trace.reasons += decision.reasons
            processor.discard_pending()  # the cut-off end of the cloud's answer
            yield Notice(decision.notice)
    how = yield from _local(job, evidence, processor)
    escalation = decide_escalation(decision, local_how=how)
    if escalation is not None:
        yield from _escalate(job, escalation, protected, processor)


def _escalate(
    job: _Job, escalation: RouteDecision, protected: ProtectedRequest, processor: StreamPostProcessor
) -> Iterator[Event]:
    """The cloud's answer below the quotes already shown; if it fails, the quotes stand."""
    trace = job.trace
    trace.route = escalation.route
    trace.reasons += escalation.reasons
    try:
        yield from _cloud(job, protected, processor, lead=draft_lead(job.request.question))
    except BackendError as exc:
        fallback = decide_fallback(error=str(exc), paused=isinstance(exc, CloudPaused), answered_some=True)
        trace.route = fallback.route
        trace.reasons += fallback.reasons
        processor.discard_pending()


def _cloud(
    job: _Job, protected: ProtectedRequest, processor: StreamPostProcessor, *, lead: str = ""
) -> Iterator[Event]:
    """The cloud's answer, after `lead` once it has begun."""
    trace, config = job.trace, job.config
    messages = cloud_messages(protected.question, protected.context, protected.history)
    trace.cloud_payload = messages
    trace.models["cloud"] = job.deps.cloud.name
    with trace.stage("generate", "cloud") as detail:
        try:
            answer = generate.cloud_answer(gate=job.deps.cloud, messages=messages, config=config)
            usage = yield from _post_processed(_led(lead, answer), processor, trace)
        except BackendError as exc:
            detail.update(error=str(exc))
            trace.tokens.cloud_in = estimate_tokens(flatten(messages))
            raise
    trace.tokens.cloud_in, trace.tokens.cloud_out = usage.prompt_tokens, usage.completion_tokens
    trace.cost_usd.cloud = cost_usd(
        prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens, config=config
    )
    job.deps.budget.spend(job.request.user, trace.cost_usd.cloud)


def _local(job: _Job, evidence: Evidence, processor: StreamPostProcessor) -> Generator[Event, None, str]:
    """The local answer; returns how it was made."""
    trace, local = job.trace, job.deps.local
    with trace.stage("generate", "local") as detail:
        answer = generate.local_answer(
            question=job.request.question,
            intent=trace.intent or "general",
            condensed=evidence.condensed,
            backend=local,
            config=job.config,
            drafts_chinese=job.deps.local_writes_chinese,
        )
        outcome = yield from _post_processed(answer, processor, trace)
        detail.update(how=outcome.how)
        if outcome.model_error:
            detail.update(model_error=outcome.model_error)
        if outcome.busy:
            detail.update(busy=outcome.busy)
            trace.reasons.append(
                Reason(
                    ReasonCode.LOCAL_BUSY,
                    f"the local model was writing other answers ({outcome.busy}): the passages are quoted instead",
                )
            )
        trace.models["local"] = local.name if outcome.how == "model" else f"extractive ({outcome.how})"
    return outcome.how


def _led(lead: str, pieces: Generator[str, None, T]) -> Generator[str, None, T]:
    """The pieces with `lead` before the first; nothing at all when there is none."""
    with closing(pieces):
        try:
            first = next(pieces)
        except StopIteration as finished:
            return finished.value
        yield lead + first
        return (yield from pieces)


def _post_processed(
    pieces: Generator[str, None, T], processor: StreamPostProcessor, trace: Trace
) -> Generator[Event, None, T]:
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
                yield Delta(text)


def _postprocess(job: _Job, processor: StreamPostProcessor) -> Iterator[Event]:
    """The held-back end of the answer, filtered; every change the post-processor made; and
    what plain RAG would have cost for the same answer."""
    trace = job.trace
    with trace.stage("postprocess") as detail:
        tail = processor.flush()
        trace.compliance_actions += processor.actions
        detail.update(actions=len(processor.actions))
    if tail:
        trace.answer += tail
        yield Delta(tail)
    followed = answer_checks(processor.raw, question=job.request.question, found=trace.instructions)
    if followed:
        trace.compliance_actions += followed
        in_english = FOLLOWED_NOTICE.format(reasons="; ".join(a.detail for a in followed))
        yield Notice(FOLLOWED_NOTICE_ZH if is_chinese(job.request.question) else in_english)
    completion = trace.tokens.cloud_out or estimate_tokens(trace.answer)
    trace.cost_usd.plain_rag = cost_usd(
        prompt_tokens=trace.tokens.plain_rag_in, completion_tokens=completion, config=job.config
    )


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


def _citations(condensed: CondensedContext, passages: list[RetrievedPassage]) -> list[Citation]:
    by_chunk = {p.chunk_id: p for p in passages}
    citations = []
    for number, chunk_id in condensed.citation_key().items():
        passage = by_chunk[chunk_id]
        snippet = " ".join(k.text for k in condensed.kept if k.chunk_id == chunk_id)[:300]
        citations.append(
            Citation(
                number,
                chunk_id,
                passage.document_id,
                passage.title,
                passage.heading,
                passage.page,
                snippet,
                ocr=passage.ocr,
            )
        )
    return citations


def ask(
    request: AskRequest, *, deps: PipelineDeps | None = None, config: RouterConfig | None = None
) -> tuple[Trace, Meta | None]:
    """Run to the end and return the trace and the Meta event (for `ask`, tests and the API)."""
    return finished(run(request, deps=deps, config=config))


def finished(events: Iterable[Event]) -> tuple[Trace, Meta | None]:
    """The trace and the Meta event of a request's events, read to the end."""
    meta: Meta | None = None
    trace: Trace | None = None
    for event in events:
        if isinstance(event, Meta):
            meta = event
        elif isinstance(event, Done):
            trace = event.trace
    assert trace is not None
    return trace, meta


__all__ = ["AskRequest", "Citation", "ComplianceAction", "ask", "finished", "run"]
