"""End to end through Redis and a real Celery worker subprocess."""

import json
import os
import signal
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from ingestion.models import Document, Status
from ingestion.services import document_reingest, document_requeue_pending, document_submit
from ingestion.store import index_chunks
from kb_assistant.celery import app as celery_app
from tests import processes
from tests.conftest import group

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

HANDBOOK = "\n\n".join(
    f"## Section {n}\nRule {n}: travel costs above {n * 100} EUR need a manager's approval in advance."
    for n in range(1, 60)
).encode()


def wait_for_status(document_id: int, *statuses: str, timeout: float = 120) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document = Document.objects.get(pk=document_id)
        if document.status in statuses:
            return document
        time.sleep(0.3)
    raise AssertionError(f"document {document_id} stuck in {document.status} ({document.progress}%)")


def submit(name: str, data: bytes, **kwargs) -> Document:
    return document_submit(
        filename=name, data=data, uploaded_by=None, groups=kwargs.get("groups", []),
        sensitivity="internal", max_bytes=settings.KB_UPLOAD_MAX_BYTES,
    ).document  # fmt: skip


def test_an_upload_is_indexed_by_the_worker(celery_worker, empty_index):
    document = submit("travel.md", HANDBOOK, groups=[group("employees")])

    done = wait_for_status(document.pk, Status.INDEXED, Status.FAILED)

    assert done.status == Status.INDEXED, done.failure_reason
    assert done.progress == 100
    assert len(index_chunks(document_id=done.pk)) == done.chunk_count > 1


def test_the_ingest_command_waits_for_the_worker_and_prints_json(celery_worker, empty_index, tmp_path):
    good = tmp_path / "policy.md"
    good.write_bytes(HANDBOOK)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    group("employees")
    out = StringIO()

    call_command("ingest", str(good), str(empty), "--groups", "employees", "--json", stdout=out)

    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["path"] for r in rows] == [str(good), str(empty)]
    assert rows[0]["status"] == "indexed" and rows[0]["chunks"] > 1 and rows[0]["document_id"]
    assert rows[1]["status"] == "failed" and "empty" in rows[1]["reason"]
    assert set(rows[0]) == {"path", "document_id", "status", "reason", "chunks"}


def test_a_document_survives_a_dead_broker_and_is_picked_up_later(celery_worker, empty_index, redis_outage):
    with redis_outage():
        document = submit("offline.md", HANDBOOK)
        assert Document.objects.get(pk=document.pk).status == Status.QUEUED

    processes.wait_until(
        lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=60, what="worker reconnect"
    )
    assert document_requeue_pending(stale_after=timedelta(0)) == [document.pk]  # Redis came back empty
    assert wait_for_status(document.pk, Status.INDEXED).chunk_count > 1


def test_a_worker_killed_mid_task_leaves_the_document_re_runnable(celery_worker, empty_index):
    big = HANDBOOK * 30
    document = submit("big-handbook.md", big)
    wait_for_status(document.pk, Status.EMBEDDING)
    worker_children = _children(celery_worker.pid)
    for pid in worker_children:
        os.kill(pid, signal.SIGKILL)  # the pool process doing the work dies, as on an OOM kill

    document_reingest(document=Document.objects.get(pk=document.pk))
    done = wait_for_status(document.pk, Status.INDEXED, Status.FAILED, timeout=300)

    assert done.status == Status.INDEXED, done.failure_reason
    assert len(index_chunks(document_id=done.pk)) == done.chunk_count


def _children(pid: int) -> list[int]:
    import psutil

    return [child.pid for child in psutil.Process(pid).children(recursive=True)]
