"""Writes on documents: submit, re-ingest, change access, delete. Views, the API and the
`ingest` command all come through here, so they behave the same."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Literal

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from ingestion.models import IN_PROGRESS, Document, Sensitivity, Status
from ingestion.parse import unsupported_type_reason
from ingestion.store import index_delete, index_set_readers, readers_for

logger = logging.getLogger(__name__)

Outcome = Literal["created", "new_version", "duplicate"]


class UploadRejected(Exception):
    """Refused before storing anything; the message is shown to the uploader."""


@dataclass(frozen=True)
class SubmitResult:
    document: Document
    outcome: Outcome


def upload_check(*, filename: str, size: int, max_bytes: int) -> None:
    """The checks that need no parsing: cheap, so done before the file is stored."""
    if reason := unsupported_type_reason(filename):
        raise UploadRejected(f"{filename}: {reason}")
    if size == 0:
        raise UploadRejected(f"{filename}: the file is empty")
    if size > max_bytes:
        raise UploadRejected(
            f"{filename}: {size / 1_048_576:.1f} MB is over the {max_bytes / 1_048_576:.0f} MB limit"
        )


def document_submit(
    *,
    filename: str,
    data: bytes,
    uploaded_by,
    groups: list[Group],
    sensitivity: str,
    max_bytes: int,
    enqueue: bool = True,
) -> SubmitResult:
    """Store an upload as a new document, a new version of a same-named one, or a duplicate.

    The same content is recognised by its sha256 and never indexed twice.
    """
    name = PurePath(filename).name
    upload_check(filename=name, size=len(data), max_bytes=max_bytes)
    if sensitivity not in Sensitivity.values:
        raise UploadRejected(f"unknown sensitivity {sensitivity!r}")
    sha256 = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        duplicate = Document.objects.filter(sha256=sha256).first()
        if duplicate is not None:
            return SubmitResult(duplicate, "duplicate")
        previous = Document.objects.select_for_update().filter(original_name=name).first()
        if previous is None:
            document = Document(title=PurePath(name).stem, original_name=name, uploaded_by=uploaded_by)
            outcome: Outcome = "created"
        else:
            document = previous
            document.version += 1
            outcome = "new_version"
        old_file = document.file.name if previous else None
        document.sha256 = sha256
        document.size_bytes = len(data)
        document.sensitivity = sensitivity
        document.status = Status.QUEUED
        document.progress = 0
        document.failure_reason = ""
        document.uploaded_by = uploaded_by
        document.file.save(name, ContentFile(data), save=False)
        document.save()
        document.groups.set(groups)
        if old_file and old_file != document.file.name:
            transaction.on_commit(lambda: document.file.storage.delete(old_file))
        if enqueue:
            transaction.on_commit(lambda: document_enqueue(document_id=document.pk))
    _audit("document_upload", uploaded_by, document, outcome=outcome, sha256=sha256, size=len(data))
    return SubmitResult(document, outcome)


def document_enqueue(*, document_id: int) -> bool:
    """Queue ingestion. If Redis is down the document stays `queued` and is picked up by
    `document_requeue_pending` when a worker starts, so nothing is lost."""
    from ingestion.tasks import ingest_document_task

    try:
        ingest_document_task.apply_async(args=[document_id], retry=False)
    except Exception as exc:  # kombu raises OperationalError and friends
        logger.warning("could not queue document %s, it stays queued: %s", document_id, exc)
        return False
    return True


def document_reingest(*, document: Document, by=None) -> None:
    Document.objects.filter(pk=document.pk).update(
        status=Status.QUEUED, progress=0, failure_reason="", updated_at=timezone.now()
    )
    transaction.on_commit(lambda: document_enqueue(document_id=document.pk))
    _audit("document_reingest", by, document)


def document_set_access(*, document: Document, groups: list[Group], sensitivity: str, by=None) -> None:
    """Change who may read a document; the index follows at once, without re-embedding."""
    if sensitivity not in Sensitivity.values:
        raise ValueError(f"unknown sensitivity {sensitivity!r}")
    _audit(
        "permission_change",
        by,
        document,
        groups_before=sorted(document.groups.values_list("name", flat=True)),
        groups_after=sorted(g.name for g in groups),
        sensitivity_before=document.sensitivity,
        sensitivity_after=sensitivity,
    )
    document.sensitivity = sensitivity
    document.save(update_fields=["sensitivity", "updated_at"])
    document.groups.set(groups)
    index_set_readers(
        document_id=document.pk, readers=readers_for(g.pk for g in groups), sensitivity=sensitivity
    )


def document_delete(*, document: Document, by=None) -> None:
    """Chunks first: if the index is down this raises and the document stays listed."""
    index_delete(document_id=document.pk)
    _audit("document_delete", by, document, sha256=document.sha256)
    stored = document.file.name
    storage = document.file.storage
    document.delete()
    if stored:
        storage.delete(stored)


def _audit(kind: str, user, document: Document, **detail) -> None:
    from kb_assistant.audit.services import audit_event

    audit_event(
        kind=kind,
        user=user,
        detail={"document_id": document.pk, "title": document.title, "version": document.version, **detail},
        channel="web" if user is not None else "cli",
    )


def document_fail_after_retries(*, document_id: int, reason: str) -> None:
    Document.objects.filter(pk=document_id).filter(status__in=IN_PROGRESS).update(
        status=Status.FAILED,
        failure_reason=f"the vector index stayed unavailable after several retries: {reason}",
        updated_at=timezone.now(),
    )


def document_requeue_pending(*, stale_after: timedelta) -> list[int]:
    """Queue documents left behind by a dead broker or a killed worker."""
    cutoff = timezone.now() - stale_after
    pending = Document.objects.filter(status=Status.QUEUED) | Document.objects.filter(
        status__in=[Status.PARSING, Status.EMBEDDING], updated_at__lt=cutoff
    )
    ids = list(pending.values_list("pk", flat=True))
    for document_id in ids:
        document_enqueue(document_id=document_id)
    return ids
