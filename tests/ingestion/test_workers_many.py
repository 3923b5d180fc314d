"""Two real Celery workers on one Redis, one Chroma server and one database, ingesting many
small uploads at once (issue 14): each document is indexed by exactly one run, none is lost,
no chunk is written twice. Every task is also delivered a second time, so the two workers
race for the same documents and only the per-document claim (`ingestion.claims`) keeps them
apart."""

import re
import time

import pytest

from ingestion.models import Document, Status
from ingestion.services import document_enqueue
from ingestion.store import chunk_id, index_chunks, index_count
from tests.ingestion.test_worker import submit
from tests.ingestion.workers import Workers, session_worker_paused

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

DOCUMENTS = 200
# Celery logs each task's return value: ingestion.tasks._outcome's dict.
OUTCOME = re.compile(r"succeeded in [\d.]+s: \{'document_id': (\d+), 'outcome': '(\w+)'")


@pytest.fixture
def two_workers():
    with session_worker_paused():
        workers = Workers({})
        for name in ("left", "right"):
            workers.start(name)
        yield workers
        workers.stop_all()


def memo(n: int) -> bytes:
    return f"# Memo {n}\n\nRoom {n} is booked through the facilities desk, at least {n % 7 + 1} days ahead.".encode()


def test_two_workers_index_every_document_once_with_no_duplicate_chunks(two_workers, empty_index):
    documents = [submit(f"memo-{n}.md", memo(n)).pk for n in range(DOCUMENTS)]
    for document_id in documents:
        document_enqueue(document_id=document_id)  # a second delivery of every task

    done = _wait_all_finished(documents, timeout=240)

    assert {d.status for d in done} == {Status.INDEXED}, [d.failure_reason for d in done if d.failure_reason]
    assert {d.ingest_runs for d in done} == {1}
    for document in done:
        ids = [c.chunk_id for c in index_chunks(document_id=document.pk)]
        assert ids == [chunk_id(document.pk, document.version, p) for p in range(document.chunk_count)]
    assert index_count() == sum(d.chunk_count for d in done)
    indexed_by = {name: _indexed(two_workers.log(name)) for name in ("left", "right")}
    runs = [*indexed_by["left"], *indexed_by["right"]]
    assert sorted(runs) == sorted(documents)  # one indexing run per document, across both workers
    assert all(len(ids) >= DOCUMENTS // 4 for ids in indexed_by.values()), {
        k: len(v) for k, v in indexed_by.items()
    }


def _wait_all_finished(document_ids: list[int], *, timeout: float) -> list[Document]:
    deadline = time.monotonic() + timeout
    while True:
        rows = list(Document.objects.filter(pk__in=document_ids).order_by("pk"))
        if all(d.status in (Status.INDEXED, Status.FAILED) for d in rows):
            return rows
        unfinished = sum(d.status not in (Status.INDEXED, Status.FAILED) for d in rows)
        assert time.monotonic() < deadline, f"{unfinished} of {len(rows)} documents unfinished"
        time.sleep(0.5)


def _indexed(log) -> list[int]:
    """The documents this worker's runs indexed, from its log."""
    return [int(doc) for doc, outcome in OUTCOME.findall(log.read_text()) if outcome == "indexed"]
