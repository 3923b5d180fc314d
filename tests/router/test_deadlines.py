"""Deadlines on the request path, against real processes: a Chroma server stopped with
SIGSTOP, and a misbehaving OpenAI-compatible server on loopback reached through the real
`openai` SDK (it hangs before its first byte, hangs midway, or ends without its end).
Timeouts are shortened through the settings so that each hang costs about a second."""

import threading
import time

import pytest

from kb_assistant.audit.models import AuditRecord
from router.cloud import CloudPaused
from router.config import cloud_config
from router.deps import cloud_gate
from router.errors import BackendTimeout
from router.events import Delta, Done, Failed, Notice
from router.pipeline import AskRequest, run
from router.reasons import ReasonCode
from router.warm import warm_local_models
from tests.faults import chroma_deadlines, hung
from tests.misbehaving_cloud import MisbehavingCloud
from tests.router.test_pipeline import HARD_TRAVEL_QUESTION, TRAVEL, put

SILENCE_SECONDS = 1.0
HARD_TRAVEL_QUESTION_ZH = "请比较出国出差和国内出差的审批规则，并解释为什么审批门槛不同？"
BUDGET_SECONDS = 8.0


@pytest.fixture(scope="module", autouse=True)
def warm(django_db_setup, django_db_blocker):
    """Models loaded before any clock starts: a first request's loading is not a deadline's."""
    with django_db_blocker.unblock():
        warm_local_models()


@pytest.fixture(scope="module")
def misbehaving():
    server = MisbehavingCloud()
    yield server
    server.close()


@pytest.fixture
def cloud(misbehaving, settings):
    """Hybrid mode with the misbehaving server as the cloud, short deadlines, a fresh breaker."""
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.OPENAI_BASE_URL = misbehaving.base_url
    settings.CLOUD_MODEL = "misbehaving-model"
    settings.CLOUD_TIMEOUT_SECONDS = SILENCE_SECONDS
    settings.CLOUD_MAX_RETRIES = 1
    settings.ROUTER_LATENCY_BUDGET_MS = int(BUDGET_SECONDS * 1000)
    settings.ROUTER_BREAKER_FAILURES = 3
    misbehaving.reset()
    cloud_gate(cloud_config()).reset()
    yield misbehaving
    cloud_gate(cloud_config()).reset()


@pytest.fixture
def kb(empty_index, db):
    return {"travel": put("travel.md", TRAVEL, groups=["employees"])}


def timed_events(question: str, user) -> tuple[list, float]:
    started = time.monotonic()
    events = list(run(AskRequest(question=question, user=user)))
    return events, time.monotonic() - started


def cloud_stage_seconds(trace) -> float:
    return next(s.ms for s in trace.stages if s.name == "generate" and s.where == "cloud") / 1000


def test_a_cloud_that_never_answers_costs_a_question_at_most_its_budget(kb, alice, cloud):
    cloud.reset("hang")
    events, _ = timed_events(HARD_TRAVEL_QUESTION, alice)

    trace = events[-1].trace
    assert trace.route == "fallback" and ReasonCode.CLOUD_FAILED in trace.reason_codes, trace.reasons
    assert any(isinstance(e, Notice) for e in events) and trace.answer
    # One retry layer: our attempt and our one retry reach the server, the SDK adds none.
    assert len(cloud.arrivals) == 2
    # Two silences and the pause between them, well within the budget; the local answer after it
    # is the local route's own time (issue 11), not the cloud's.
    assert cloud_stage_seconds(trace) < 2 * SILENCE_SECONDS + 1.5


def test_a_stream_that_hangs_midway_is_cut_by_the_silence_timeout(kb, alice, cloud):
    cloud.reset("hang_midway")
    events, _ = timed_events(HARD_TRAVEL_QUESTION, alice)

    trace = events[-1].trace
    assert trace.route == "fallback" and ReasonCode.CLOUD_FAILED in trace.reason_codes
    assert any(isinstance(e, Notice) for e in events) and trace.answer
    assert len(cloud.arrivals) == 1  # text had come: no retry behind the reader's back
    assert cloud_stage_seconds(trace) < SILENCE_SECONDS + 1.0


def test_a_stream_that_ends_without_its_end_is_a_cut_off_answer_and_audited(kb, alice, cloud):
    cloud.reset("no_done")
    events, _ = timed_events(HARD_TRAVEL_QUESTION, alice)

    trace = events[-1].trace
    notices = [e.text for e in events if isinstance(e, Notice)]
    assert trace.route == "fallback" and ReasonCode.CLOUD_CUT_OFF in trace.reason_codes
    assert notices and "cut off" in notices[0]
    after_notice = events[next(i for i, e in enumerate(events) if isinstance(e, Notice)) :]
    assert "".join(e.text for e in after_notice if isinstance(e, Delta)).strip(), "a local answer follows"
    record = AuditRecord.objects.get(request_id=trace.request_id)
    assert record.route == "fallback" and "cloud_cut_off" in record.detail["reason_codes"]


def test_a_chinese_question_is_told_of_a_cut_off_answer_in_chinese(kb, alice, cloud):
    cloud.reset("no_done")
    events, _ = timed_events(HARD_TRAVEL_QUESTION_ZH, alice)

    assert ReasonCode.CLOUD_CUT_OFF in events[-1].trace.reason_codes
    assert [e.text.strip() for e in events if isinstance(e, Notice)] == [
        "（云端的回答未写完就中断了；下面的回答由本机生成。）"
    ]


def test_a_whole_cloud_answer_is_not_mistaken_for_a_cut_off_one(kb, alice, cloud):
    events, _ = timed_events(HARD_TRAVEL_QUESTION, alice)

    trace = events[-1].trace
    assert trace.route == "cloud", trace.reasons
    assert not [e for e in events if isinstance(e, Notice)]
    assert "director" in trace.answer


def test_the_breaker_opens_while_concurrent_requests_still_wait(cloud):
    """Four users on a hung cloud: their first timeouts open the breaker at once, none of
    them retries into it, and the next user is refused without a call."""
    cloud.reset("hang")
    gate = cloud_gate(cloud_config())
    started, ended, opened_at = time.monotonic(), [], []

    def user() -> None:
        completion = gate.stream(
            [{"role": "user", "content": "Why?"}], max_tokens=16, temperature=0.0, budget_seconds=30
        )
        with pytest.raises(BackendTimeout):
            list(completion.chunks)
        ended.append(time.monotonic() - started)

    users = [threading.Thread(target=user) for _ in range(4)]
    for thread in users:
        thread.start()
    while any(t.is_alive() for t in users):
        if not opened_at and gate.breaker.status().state == "open":
            opened_at.append(time.monotonic() - started)
        time.sleep(0.05)

    assert opened_at and opened_at[0] < SILENCE_SECONDS + 1.0
    assert len(ended) == 4 and max(ended) < SILENCE_SECONDS + 1.5
    assert len(cloud.arrivals) <= 5  # at most one retry slipped out before the breaker opened
    calls, refused_at = len(cloud.arrivals), time.monotonic()
    with pytest.raises(CloudPaused):
        gate.stream([{"role": "user", "content": "Why?"}], max_tokens=16, temperature=0.0, budget_seconds=30)
    assert time.monotonic() - refused_at < 0.5 and len(cloud.arrivals) == calls


def test_a_question_fails_clearly_within_its_budget_while_chroma_hangs(kb, alice, services, settings):
    with chroma_deadlines(settings, seconds=1.0), hung(services["chroma"]):
        events, seconds = timed_events("How are trips abroad approved?", alice)

    trace = events[-1].trace
    assert isinstance(events[-2], Failed) and isinstance(events[-1], Done)
    assert trace.error and trace.error.startswith("IndexUnavailable"), trace.error
    assert seconds < 5.0
    assert AuditRecord.objects.get(request_id=trace.request_id).failed


def test_the_index_answers_again_once_chroma_resumes(kb, alice, services, settings):
    with chroma_deadlines(settings, seconds=1.0):
        with hung(services["chroma"]):
            timed_events("How are trips abroad approved?", alice)
        events, _ = timed_events("How are trips abroad approved?", alice)

    assert events[-1].trace.error is None and events[-1].trace.retrieved
