"""Faults ingestion must survive, against real processes (issue 13, findings 3 and 4): a worker
killed with kill -9 mid-ingestion, a task delivered twice, Redis stopped during an upload, and
`ingest` giving up while documents are unfinished.

These tests run workers of their own, with short leases and sweeps, and keep the session's
worker (when another module started it) from taking their tasks meanwhile.
"""

import json
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ingestion.models import Document, Status
from ingestion.services import document_enqueue, document_requeue_pending
from ingestion.store import index_chunks
from tests.ingestion.test_worker import HANDBOOK, submit, wait_for_status
from tests.ingestion.workers import Workers, session_worker_paused

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# A claim lapses 3 s after its worker died; each worker sweeps every second and takes up a
# queued document that has no task in the broker after 3 s.
FAST_SWEEP = {"KB_INGEST_LEASE_SECONDS": "3", "KB_SWEEP_SECONDS": "1", "KB_STALE_TASK_MINUTES": "0.05"}


@pytest.fixture(scope="module", autouse=True)
def session_worker_set_aside():
    with session_worker_paused():
        yield


@pytest.fixture
def workers():
    started = Workers(FAST_SWEEP)
    yield started
    started.stop_all()


def test_a_killed_workers_document_is_indexed_once_by_the_next_worker(workers, empty_index):
    doomed = workers.start("doomed")
    big = submit("big-handbook.md", HANDBOOK * 30)
    notes = [submit(f"note-{n}.md", f"# Note {n}\n\nKeep receipts for {n} years.".encode()) for n in range(2)]
    _wait_until(
        lambda: Document.objects.filter(pk=big.pk, status=Status.EMBEDDING, progress__gte=30).exists()
    )

    workers.kill(doomed)
    killed_at = time.monotonic()
    workers.start("rescuer")
    done = wait_for_status(big.pk, Status.INDEXED, Status.FAILED, timeout=240)

    assert done.status == Status.INDEXED, done.failure_reason
    assert done.ingest_runs == 2  # the killed run, and the one that finished it
    assert time.monotonic() - killed_at < 240
    assert len(index_chunks(document_id=big.pk)) == done.chunk_count
    for note in notes:
        indexed = wait_for_status(note.pk, Status.INDEXED, Status.FAILED)
        assert (indexed.status, indexed.ingest_runs) == (Status.INDEXED, 1)


def test_a_task_delivered_twice_ingests_its_document_once(workers, empty_index):
    workers.start("steady")
    document = submit("travel.md", HANDBOOK)
    first = wait_for_status(document.pk, Status.INDEXED, Status.FAILED)
    assert first.status == Status.INDEXED, first.failure_reason
    document_enqueue(document_id=document.pk)  # a second delivery, after it was indexed

    # One worker takes tasks in order: once a later upload is indexed, the duplicate has run.
    wait_for_status(submit("later.md", b"# Later\n\nThe office closes at six.").pk, Status.INDEXED)

    again = Document.objects.get(pk=document.pk)
    assert (again.status, again.indexed_at, again.ingest_runs) == (Status.INDEXED, first.indexed_at, 1)


def test_requeue_leaves_a_document_to_the_task_waiting_in_the_broker_until_redis_loses_it(
    empty_index, redis_outage
):
    document = submit("waiting.md", HANDBOOK)  # no worker consumes: its task waits
    Document.objects.filter(pk=document.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    assert document_requeue_pending(stale_after=timedelta(minutes=1)) == []
    with redis_outage():  # Redis starts again empty, without the task
        pass

    assert document_requeue_pending(stale_after=timedelta(minutes=1)) == [document.pk]


def test_an_upload_while_redis_is_down_is_quick_and_indexed_when_redis_is_back(
    workers, empty_index, redis_outage
):
    workers.start("steady")
    with redis_outage():
        started = time.monotonic()
        document = submit("offline.md", HANDBOOK)
        upload_seconds = time.monotonic() - started
        assert Document.objects.get(pk=document.pk).status == Status.QUEUED

    assert upload_seconds < 3
    done = wait_for_status(document.pk, Status.INDEXED, Status.FAILED, timeout=90)  # the same worker
    assert (done.status, done.ingest_runs) == (Status.INDEXED, 1)


def test_ingest_exits_non_zero_naming_what_it_left_unfinished(empty_index, tmp_path):
    policy = tmp_path / "policy.md"
    policy.write_bytes(HANDBOOK)  # no worker consumes: it stays queued
    out = StringIO()

    with pytest.raises(CommandError, match=r"1 of 1 documents were not finished .*policy\.md"):
        call_command("ingest", str(policy), "--json", "--timeout", "1", stdout=out)

    row = json.loads(out.getvalue())
    assert (row["status"], row["reason"]) == ("queued", "still queued: no worker took it yet")


def _wait_until(check, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)
