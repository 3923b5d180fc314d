import json
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from ingestion.models import IN_PROGRESS, Document, Sensitivity, Status
from ingestion.pipeline import ingest_document
from ingestion.services import UploadRejected, document_fail_after_retries, document_submit
from ingestion.store import IndexUnavailable


class Command(BaseCommand):
    help = "Ingest files into the knowledge base (through Celery, or in this process with --sync)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path)
        # Not given: a new version (a file named like a document) keeps that document's access;
        # a new document is open to every employee and internal.
        parser.add_argument("--groups", help="comma-separated auth groups allowed to read ('' for everyone)")
        parser.add_argument("--sensitivity", choices=Sensitivity.values)
        parser.add_argument("--sync", action="store_true", help="run the pipeline here, not in a worker")
        parser.add_argument("--json", action="store_true", help="one JSON line per file")
        parser.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the worker")

    def handle(self, *args, paths, groups, sensitivity, sync, json: bool, timeout: float, **options):
        group_objects = self._groups(groups)
        files = [
            f for p in paths for f in (sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])
        ]
        pending: dict[Path, int] = {}
        rows: dict[Path, dict] = {}
        for path in files:
            try:
                result = document_submit(
                    filename=path.name,
                    data=path.read_bytes(),
                    uploaded_by=None,
                    groups=group_objects,
                    sensitivity=sensitivity,
                    max_bytes=settings.KB_UPLOAD_MAX_BYTES,
                    same_name="new_version",
                    enqueue=not sync,
                )
            except (UploadRejected, OSError) as exc:
                rows[path] = self._row(path, None, "failed", str(exc), 0)
                continue
            if result.outcome == "duplicate":
                doc = result.document
                rows[path] = self._row(
                    path, doc.pk, doc.status, f"same content as document {doc.pk}", doc.chunk_count
                )
            elif sync:
                try:
                    ingest_document(result.document.pk)
                except IndexUnavailable as exc:
                    document_fail_after_retries(document_id=result.document.pk, reason=str(exc))
            pending.setdefault(path, result.document.pk)
        self._wait(pending, rows, timeout)
        for path in files:
            self._print(rows[path], json)
        unfinished = [row["path"] for row in rows.values() if row["status"] in IN_PROGRESS]
        if unfinished:
            raise CommandError(
                f"{len(unfinished)} of {len(files)} documents were not finished when ingest stopped "
                f"waiting after {timeout:g} s: {', '.join(unfinished)}. They stay queued and are "
                "ingested when a Celery worker takes them (is one running?); --timeout waits longer."
            )

    def _wait(self, pending: dict[Path, int], rows: dict[Path, dict], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while True:
            documents = Document.objects.in_bulk(pending.values())
            for path, document_id in pending.items():
                if path in rows:
                    continue
                doc = documents.get(document_id)
                if doc is None:
                    rows[path] = self._row(path, document_id, "failed", "deleted while ingesting", 0)
                elif doc.status not in IN_PROGRESS:
                    rows[path] = self._row(path, doc.pk, doc.status, doc.failure_reason, doc.chunk_count)
            if all(path in rows for path in pending) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        for path, document_id in pending.items():
            if path not in rows:
                doc = documents[document_id]
                rows[path] = self._row(path, doc.pk, doc.status, _unfinished_reason(doc), doc.chunk_count)

    @staticmethod
    def _groups(spec: str | None) -> list[Group] | None:
        if spec is None:
            return None
        names = [name.strip() for name in spec.split(",") if name.strip()]
        found = list(Group.objects.filter(name__in=names))
        missing = set(names) - {g.name for g in found}
        if missing:
            raise CommandError(f"unknown groups: {', '.join(sorted(missing))}")
        return found

    @staticmethod
    def _row(path: Path, document_id: int | None, status: str, reason: str, chunks: int) -> dict:
        return {
            "path": str(path),
            "document_id": document_id,
            "status": status,
            "reason": reason,
            "chunks": chunks,
        }

    def _print(self, row: dict, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(row, ensure_ascii=False))
        else:
            detail = f" ({row['reason']})" if row["reason"] else ""
            self.stdout.write(f"{row['status']:<8} {row['chunks']:>5} chunks  {row['path']}{detail}")


def _unfinished_reason(document: Document) -> str:
    if document.status == Status.QUEUED:
        return "still queued: no worker took it yet"
    return f"still {document.status} ({document.progress}%) in a worker"
