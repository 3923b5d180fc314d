"""The pipeline's logic, stage by stage, in seconds: the real database, policy, condensing,
de-identification and post-processing, with fakes only at the external seams (embedder,
index, chat backends) and an injected clock for the breaker. The end-to-end tests beside
this file run the same paths against the real models, Chroma and a cloud on loopback."""

import logging

import pytest

from ingestion.models import Document
from ingestion.store import IndexUnavailable
from kb_assistant.audit.models import AuditRecord
from router.breaker import CircuitBreaker, MemoryStore
from router.budget import DailyBudget
from router.cloud import CloudGate
from router.deps import PipelineDeps
from router.directory import UserDirectory
from router.errors import BackendTimeout, BackendUnavailable
from router.events import Delta, Done, Failed, Meta, Notice
from router.pipeline import AskRequest, ask, run
from router.reasons import ReasonCode
from router.rules import AdminRules
from tests.conftest import FakeClock, group
from tests.fakes import KeywordIntents, MemoryIndex, ScriptedBackend

pytestmark = pytest.mark.django_db

TRAVEL = (
    "Trips abroad need approval from the department director. "
    "Above 5,000 EUR the CFO approves trips abroad as well. "
    "Ask Maria Gonzalez in finance if unsure."
)
CASE = "The disciplinary case ended with a settlement of 12,345 EUR."
HARD = "Compare the approval rules for trips abroad and explain why the thresholds differ?"
CLOUD_REPLY = "Trips abroad need the director, and above 5,000 EUR also the CFO [1]. Ask <PERSON_1>."


def document(title: str, *, groups=("employees",), sensitivity="internal") -> Document:
    doc = Document.objects.create(
        title=title, original_name=f"{title}.md", sha256=title, sensitivity=sensitivity, indexed_version=1,
        status="indexed",
    )  # fmt: skip
    doc.groups.set([group(g) for g in groups])
    return doc


@pytest.fixture
def index() -> MemoryIndex:
    index = MemoryIndex()
    index.add(document("Travel policy"), TRAVEL)
    index.add(document("Case note", groups=("hr",), sensitivity="restricted"), CASE)
    return index


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_deps(
    index: MemoryIndex, clock: FakeClock, *, cloud=None, local=None, failures: int = 3
) -> PipelineDeps:
    breaker = CircuitBreaker(
        failure_threshold=failures, cooldown_seconds=30, store=MemoryStore(), clock=clock
    )
    audit: list = []

    def record(*, trace):
        from kb_assistant.audit.services import audit_request

        audit.append(trace)
        return audit_request(trace=trace)

    deps = PipelineDeps(
        embedder=index.embedder,
        index=index,
        intents=KeywordIntents({"hello": "chitchat"}, default="finance"),
        local=local or ScriptedBackend("Trips abroad need approval from the department director."),
        local_writes_chinese=False,
        cloud=CloudGate(cloud, breaker),
        directory=UserDirectory(clock=clock),
        rules=AdminRules(),
        budget=DailyBudget(daily_usd=1.0),
        audit=record,
    )
    return deps


def events_of(deps: PipelineDeps, question: str, user) -> list:
    return list(run(AskRequest(question=question, user=user), deps=deps))


def test_events_arrive_typed_and_in_order(index, clock, alice):
    events = events_of(make_deps(index, clock), HARD, alice)

    assert isinstance(events[0], Meta) and isinstance(events[-1], Done)
    assert all(isinstance(e, Delta) for e in events[1:-1])
    assert "".join(e.text for e in events[1:-1]) == events[-1].trace.answer


def test_each_stage_runs_once_in_design_order(index, clock, alice):
    trace, _ = ask(AskRequest(question=HARD, user=alice), deps=make_deps(index, clock))

    assert [s.name for s in trace.stages] == [
        "resolve", "intent", "retrieve", "condense", "protect", "route", "generate", "postprocess",
    ]  # fmt: skip


def test_offline_it_answers_locally_with_a_coded_reason(index, clock, alice):
    trace, meta = ask(AskRequest(question=HARD, user=alice), deps=make_deps(index, clock))

    assert trace.route == "local" and trace.reason_codes == [ReasonCode.OFFLINE]
    assert meta.reasons == trace.reason_texts and trace.cloud_payload is None
    assert AuditRecord.objects.get(request_id=trace.request_id).route == "local"


def test_a_hard_question_goes_to_the_cloud_de_identified_and_comes_back_restored(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY)
    trace, _ = ask(AskRequest(question=HARD, user=alice), deps=make_deps(index, clock, cloud=cloud))

    assert trace.route == "cloud", trace.reason_texts
    sent = str(cloud.calls[-1])
    assert "Maria Gonzalez" not in sent and "<PERSON_1>" in sent
    assert "Maria Gonzalez" in trace.answer
    assert trace.tokens.cloud_in == 100 and trace.cost_usd.cloud > 0
    assert trace.tokens.condensed_context < trace.tokens.plain_rag_in


def test_restricted_passages_never_reach_the_cloud(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY)
    question = "Why did the disciplinary case end with a settlement, and compare how much it was?"
    trace, _ = ask(AskRequest(question=question, user=alice), deps=make_deps(index, clock, cloud=cloud))

    assert trace.route == "local" and ReasonCode.RESTRICTED in trace.reason_codes
    assert cloud.calls == []


def test_a_cloud_that_drops_mid_answer_hands_over_with_a_notice(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY, failure=BackendUnavailable("connection reset"), fail_at=12)
    events = events_of(make_deps(index, clock, cloud=cloud), HARD, alice)
    trace = events[-1].trace

    assert trace.route == "fallback" and ReasonCode.CLOUD_FAILED in trace.reason_codes
    notices = [e for e in events if isinstance(e, Notice)]
    assert len(notices) == 1 and "mid-answer" in notices[0].text
    assert [s.where for s in trace.stages if s.name == "generate"] == ["cloud", "local"]
    assert "department director" in trace.answer


def test_the_breaker_opens_after_failures_and_a_probe_closes_it(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY, failure=BackendTimeout("cloud timed out"))
    deps = make_deps(index, clock, cloud=cloud, failures=2)
    for _ in range(2):
        assert ask(AskRequest(question=HARD, user=alice), deps=deps)[0].route == "fallback"

    trace, _ = ask(AskRequest(question=HARD, user=alice), deps=deps)
    assert trace.route == "local" and ReasonCode.BREAKER_OPEN in trace.reason_codes
    assert len(cloud.calls) == 2
    assert AuditRecord.objects.get(request_id=trace.request_id).breaker_open

    clock.now += 31
    cloud.failure = None
    assert ask(AskRequest(question=HARD, user=alice), deps=deps)[0].route == "cloud"
    assert ask(AskRequest(question=HARD, user=alice), deps=deps)[0].route == "cloud"


def test_a_permanent_cloud_error_stops_cloud_calls_at_once(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY, failure=BackendUnavailable("invalid key", permanent=True))
    deps = make_deps(index, clock, cloud=cloud)
    assert ask(AskRequest(question=HARD, user=alice), deps=deps)[0].route == "fallback"

    trace, _ = ask(AskRequest(question=HARD, user=alice), deps=deps)
    assert trace.route == "local" and trace.reason_codes == [ReasonCode.CLOUD_REFUSED]
    assert len(cloud.calls) == 1


def test_a_slow_cloud_is_avoided_by_every_request_that_shares_its_breaker(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY)
    deps = make_deps(index, clock, cloud=cloud)
    deps.cloud.breaker.record_success(latency_ms=45_000)

    trace, _ = ask(AskRequest(question=HARD, user=alice), deps=deps)
    assert trace.route == "local" and trace.reason_codes == [ReasonCode.OVER_LATENCY]


def test_a_failing_local_model_is_logged_and_recorded_and_quotes_answer(index, clock, alice, caplog):
    local = ScriptedBackend(failure=BackendUnavailable("no local GGUF model", permanent=True))
    with caplog.at_level(logging.WARNING):
        trace, _ = ask(AskRequest(question=HARD, user=alice), deps=make_deps(index, clock, local=local))

    generate = next(s for s in trace.stages if s.name == "generate")
    assert generate.detail["model_error"] == "no local GGUF model"
    assert "no local GGUF model" in caplog.text
    assert trace.models["local"] == "extractive (quoted passages)" and "[1]" in trace.answer


def test_a_failing_stage_ends_in_a_failed_event_and_is_still_audited(index, clock, alice):
    index.failure = IndexUnavailable("the vector index did not answer")
    events = events_of(make_deps(index, clock), HARD, alice)

    assert isinstance(events[-2], Failed) and isinstance(events[-1], Done)
    record = AuditRecord.objects.get(request_id=events[-1].trace.request_id)
    assert record.failed and "did not answer" in record.detail["error"]


def test_an_outsider_retrieves_nothing_and_is_told_so(index, clock, oscar):
    trace, meta = ask(AskRequest(question=HARD, user=oscar), deps=make_deps(index, clock))

    assert trace.retrieved == [] and meta.citations == []
    assert ReasonCode.OFFLINE in trace.reason_codes and "could not find" in trace.answer


LOOKUP = "Who approves trips abroad?"


def test_a_lookup_the_local_model_cannot_answer_in_words_goes_on_to_the_cloud(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY)
    local = ScriptedBackend("Zebras migrate across Antarctica every winter.")
    events = events_of(make_deps(index, clock, cloud=cloud, local=local), LOOKUP, alice)
    trace = events[-1].trace

    assert local.calls and len(cloud.calls) == 1, "the local draft strayed, so the cloud was asked"
    assert trace.route == "cloud" and ReasonCode.ESCALATED in trace.reason_codes
    assert ReasonCode.DIRECT_LOOKUP in trace.reason_codes
    quotes, answer = trace.answer.split("In short: ")
    assert quotes.startswith("Here is what your documents say:") and "[1]" in quotes
    assert answer.startswith("Trips abroad need the director") and "Zebras" not in trace.answer
    assert "Maria Gonzalez" not in str(cloud.calls[-1]), "the escalated payload is de-identified too"


def test_a_lookup_answered_locally_in_supported_words_stays_local(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY)
    local = ScriptedBackend("The CFO approves trips abroad above 5,000 EUR.")
    trace, _ = ask(
        AskRequest(question=LOOKUP, user=alice), deps=make_deps(index, clock, cloud=cloud, local=local)
    )

    assert trace.route == "local" and trace.reason_codes == [ReasonCode.DIRECT_LOOKUP]
    assert cloud.calls == [] and "In short: The CFO approves trips abroad" in trace.answer


def test_an_escalation_whose_cloud_fails_keeps_the_quotes(index, clock, alice):
    cloud = ScriptedBackend(CLOUD_REPLY, failure=BackendUnavailable("connection refused"))
    local = ScriptedBackend("Zebras migrate across Antarctica every winter.")
    trace, _ = ask(
        AskRequest(question=LOOKUP, user=alice), deps=make_deps(index, clock, cloud=cloud, local=local)
    )

    assert trace.route == "fallback" and ReasonCode.CLOUD_FAILED in trace.reason_codes
    assert trace.answer.startswith("Here is what your documents say:") and "In short" not in trace.answer


def test_the_audit_counts_the_nearest_passages_access_withheld_without_naming_them(index, clock, alice, bob):
    question = "How did the disciplinary case end?"
    for user, withheld in ((bob, 1), (alice, 0)):  # the case note is HR's only
        trace, meta = ask(AskRequest(question=question, user=user), deps=make_deps(index, clock))
        retrieve = next(s for s in trace.stages if s.name == "retrieve")
        assert retrieve.detail["withheld_by_access"] == withheld, user
        assert "Case note" not in str(retrieve.detail)
    assert "withheld" not in str(meta)  # the asker's own view says nothing about it
