"""Drill (issue 13, finding 3): kill -9 a Celery worker mid-ingestion, start another, and time
how long the killed worker's document takes to be indexed, with the product's default
settings (claim lease, sweep interval, visibility timeout).

Real processes on throw-away ports and data: Redis, a Chroma server, two workers one after
the other. A large document and a few small ones are uploaded; the first worker is killed
(main process and pool, SIGKILL) while it embeds the large one. Prints one JSON object:
seconds from the kill and from the new worker's start until the document is indexed, and
how many documents were ingested twice (a run more than needed, or indexed again).
    .venv/bin/python bench/drills/kill_worker.py [--notes 10]
"""

import argparse
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from tests import processes  # noqa: E402 - after the path is set

BIG = "\n\n".join(
    f"## Section {n}\nRule {n}: travel costs above {n * 100} EUR need a manager's approval in advance."
    for n in range(1, 1800)
).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=10, help="small documents queued behind the large one")
    args = parser.parse_args()
    redis_port, chroma_port = _free_port(), _free_port()
    os.environ.update(
        {
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CHROMA_HOST": "127.0.0.1",
            "CHROMA_PORT": str(chroma_port),
            "HF_HUB_OFFLINE": "1",
        }
    )
    from _setup import django_in_temp_dir

    data_dir = django_in_temp_dir(embedded_chroma=False)
    services = [
        processes.start_redis(redis_port, data_dir / "redis"),
        processes.start_chroma(chroma_port, data_dir / "chroma-server"),
    ]
    try:
        print(json.dumps(_drill(data_dir, args.notes)))
    finally:
        for process in services:
            processes.stop(process)


def _drill(data_dir: Path, notes: int) -> dict:
    from django.conf import settings

    from ingestion.models import Document, Status

    doomed = _worker("doomed", data_dir)
    big = _submit("big-handbook.md", BIG)
    note_ids = [
        _submit(f"note-{n}.md", f"# Note {n}\n\nKeep receipts for {n} years.".encode()) for n in range(notes)
    ]
    _wait(lambda: Document.objects.filter(pk=big, status=Status.EMBEDDING, progress__gte=30).exists(), 600)
    _kill(doomed)
    killed_at = time.monotonic()
    rescuer = _worker("rescuer", data_dir)
    ready_at = time.monotonic()
    try:
        first_indexed = _watch_until_indexed([big, *note_ids], timeout=1200)
        indexed_at = time.monotonic()
        # Let the sweep run a few more rounds: nothing may be ingested again.
        time.sleep(3 * settings.KB_SWEEP_SECONDS)
        rows = {d.pk: d for d in Document.objects.filter(pk__in=[big, *note_ids])}
    finally:
        processes.stop(rescuer)
    twice = [
        pk
        for pk, row in rows.items()
        if row.indexed_at != first_indexed[pk] or row.ingest_runs > (2 if pk == big else 1)
    ]
    return {
        "drill": "kill_worker",
        "documents": len(rows),
        "big_document_chunks": rows[big].chunk_count,
        "big_document_runs": rows[big].ingest_runs,
        "all_indexed": all(row.status == Status.INDEXED for row in rows.values()),
        "seconds_kill_to_indexed": round(indexed_at - killed_at, 1),
        "seconds_restart_to_indexed": round(indexed_at - ready_at, 1),
        "documents_ingested_twice": len(twice),
        "settings": {
            "KB_INGEST_LEASE_SECONDS": settings.KB_INGEST_LEASE_SECONDS,
            "KB_SWEEP_SECONDS": settings.KB_SWEEP_SECONDS,
            "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"],
        },
        "machine": f"{os.uname().machine}, {os.cpu_count()} cores",
    }


def _submit(name: str, data: bytes) -> int:
    from django.conf import settings

    from ingestion.services import document_submit

    return document_submit(
        filename=name, data=data, uploaded_by=None, max_bytes=settings.KB_UPLOAD_MAX_BYTES
    ).document.pk


def _watch_until_indexed(ids: list[int], timeout: float) -> dict:
    """Each document's first `indexed_at`, once all of them are indexed."""
    from ingestion.models import Document, Status

    first: dict = {}
    deadline = time.monotonic() + timeout
    while len(first) < len(ids):
        if time.monotonic() > deadline:
            raise TimeoutError(f"indexed {len(first)} of {len(ids)} documents in {timeout:.0f} s")
        for pk, at in Document.objects.filter(pk__in=ids, status=Status.INDEXED).values_list(
            "pk", "indexed_at"
        ):
            first.setdefault(pk, at)
        time.sleep(0.5)
    return first


def _worker(name: str, data_dir: Path):
    from kb_assistant.celery import app

    node = f"drill-{name}-{os.getpid()}@{socket.gethostname()}"
    process = processes.start_worker(dict(os.environ), data_dir / f"worker-{name}.log", name=node)
    processes.wait_until(
        lambda: bool(app.control.ping(destination=[node], timeout=0.5)),
        timeout=120,
        what=name,
        process=process,
    )
    return process


def _kill(process) -> None:
    pool = psutil.Process(process.pid).children(recursive=True)
    for pid in [process.pid, *(child.pid for child in pool)]:
        os.kill(pid, signal.SIGKILL)
    process.wait()


def _wait(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError("the large document never reached embedding")
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    main()
