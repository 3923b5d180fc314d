"""Writes on documents: submit, re-ingest, change access, delete. Views, the API and the
`ingest` command all come through here, so they behave the same."""

import hashlib
import itertools
import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Literal

import redis
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ingestion.broker import note_published, waiting_in_broker
from ingestion.claims import INTERRUPTED
from ingestion.models import IN_PROGRESS, Document, DocumentVersion, Sensitivity, Status
from ingestion.parse import unsupported_type_reason
from ingestion.repair import index_repair_enqueue
from ingestion.store import IndexUnavailable, index_delete, index_set_readers, readers_for

logger = logging.getLogger(__name__)

# "renamed": a different file under an existing document's name, stored as a new document
# under a free name, since replacing a document (and its access) must be asked for.
Outcome = Literal["created", "renamed", "new_version", "duplicate"]
SameName = Literal["new_document", "new_version"]


class UploadRejected(Exception):
    """Refused before storing anything; the message is shown to the uploader."""


@dataclass(frozen=True)
class Access:
    """Who may read a document (group names, none: every employee) and how sensitive it is."""

    groups: tuple[str, ...]
    sensitivity: str

    @classmethod
    def of(cls, document: Document) -> "Access":
        return cls(tuple(sorted(document.groups.values_list("name", flat=True))), document.sensitivity)


@dataclass(frozen=True)
class SubmitResult:
    document: Document
    outcome: Outcome
    access_before: Access | None = None  # of the document as it was; None for a new one
    same_name_as: Document | None = None  # the document a "renamed" upload shares its name with


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
    max_bytes: int,
    groups: list[Group] | None = None,
    sensitivity: str | None = None,
    access_for_new_only: bool = False,
    replace: int | None = None,
    same_name: SameName = "new_document",
    enqueue: bool = True,
) -> SubmitResult:
    """Store an upload as a new document, a new version of an existing one, or a duplicate.

    Access never changes by accident: `groups` or `sensitivity` None means "not given", and a
    new version keeps its document's (a new document gets every employee / internal), as it
    does whatever they say with `access_for_new_only` (a bulk form's access is for the new
    documents among its files). A file becomes a new version only when asked: `replace` (a document id), or `same_name=
    "new_version"` for a same-named one. Otherwise a different file under an existing name
    is a new document under a free name ("notes (2).txt"). The same content is recognised by
    its sha256 and never indexed twice.
    """
    name = PurePath(filename).name
    upload_check(filename=name, size=len(data), max_bytes=max_bytes)
    if sensitivity is not None and sensitivity not in Sensitivity.values:
        raise UploadRejected(f"unknown sensitivity {sensitivity!r}")
    sha256 = hashlib.sha256(data).hexdigest()

    with transaction.atomic():
        duplicate = Document.objects.filter(sha256=sha256).first()
        if duplicate is not None:
            result = SubmitResult(duplicate, "duplicate", access_before=Access.of(duplicate))
        else:
            result = _store(name, data, sha256, uploaded_by, _target(name, replace, same_name))
            if access_for_new_only and result.outcome == "new_version":
                groups, sensitivity = None, None
            if sensitivity is not None:
                result.document.sensitivity = sensitivity
            result.document.save()
            _record_version(result.document)
            if groups is not None:
                result.document.groups.set(groups)
        after = Access.of(result.document)
        if enqueue and duplicate is None:
            changed = result.access_before is not None and result.access_before != after
            _queue_work(result.document.pk, access_changed=changed)
    namesake = {"same_name_as": result.same_name_as.pk} if result.same_name_as else {}
    _audit(
        "document_upload",
        uploaded_by,
        result.document,
        outcome=result.outcome,
        sha256=sha256,
        size=len(data),
        **namesake,
        **_access_detail(result.access_before, after),
    )
    return result


def _target(name: str, replace: int | None, same_name: SameName) -> tuple[Document | None, Document | None]:
    """(the locked document the upload is a new version of, or None; the same-named document
    it must not silently replace, or None)."""
    if replace is not None:
        target = Document.objects.select_for_update().filter(pk=replace).first()
        if target is None:
            raise UploadRejected(f"document {replace} does not exist, so there is nothing to replace")
        if Document.objects.filter(original_name=name).exclude(pk=replace).exists():
            raise UploadRejected(f"{name}: another document has this name; rename the file first")
        return target, None
    same_named = Document.objects.select_for_update().filter(original_name=name).first()
    return (same_named, None) if same_name == "new_version" else (None, same_named)


def _store(
    name: str, data: bytes, sha256: str, uploaded_by, target: tuple[Document | None, Document | None]
) -> SubmitResult:
    """The row and the file of a new document or version, with its access not yet applied."""
    previous, namesake = target
    if previous is None:
        name = _free_name(name) if namesake else name
        document = Document(title=PurePath(name).stem, original_name=name)
        result = SubmitResult(document, "renamed" if namesake else "created", same_name_as=namesake)
    else:
        document = previous
        result = SubmitResult(document, "new_version", access_before=Access.of(previous))
        document.version += 1
        document.original_name = name  # a replacement may be another type of file
        if document.file.name:
            old_file = document.file.name
            transaction.on_commit(lambda: document.file.storage.delete(old_file))
    document.sha256 = sha256
    document.size_bytes = len(data)
    document.status = Status.QUEUED
    document.progress = 0
    document.failure_reason = ""
    document.uploaded_by = uploaded_by
    document.file.save(name, ContentFile(data), save=False)
    return result


def _record_version(document: Document) -> None:
    """The history row of the version just stored; the pipeline completes it."""
    DocumentVersion.objects.create(
        document=document,
        version=document.version,
        original_name=document.original_name,
        sha256=document.sha256,
        size_bytes=document.size_bytes,
        uploaded_by=document.uploaded_by,
        uploaded_at=timezone.now(),
    )


def _free_name(name: str) -> str:
    """notes.txt → "notes (2).txt", or the next number that no document has."""
    path = PurePath(name)
    candidates = (f"{path.stem} ({n}){path.suffix}" for n in itertools.count(2))
    return next(c for c in candidates if not Document.objects.filter(original_name=c).exists())


def _queue_work(document_id: int, *, access_changed: bool) -> None:
    """Ingest once committed; an access change also reaches the old version's chunks, which
    keep answering until the new version is indexed."""
    transaction.on_commit(lambda: document_enqueue(document_id=document_id))
    if access_changed:
        transaction.on_commit(lambda: index_repair_enqueue(document_ids=[document_id]))


def _access_detail(before: Access | None, after: Access) -> dict:
    """Access before and after, as every upload and access change records it."""
    return {
        "groups_before": list(before.groups) if before else None,
        "groups_after": list(after.groups),
        "sensitivity_before": before.sensitivity if before else None,
        "sensitivity_after": after.sensitivity,
    }


def document_enqueue(*, document_id: int) -> bool:
    """Queue ingestion. If Redis is down this gives up within a second or two and the
    document stays `queued`: a worker's sweep (`document_requeue_pending`) sends it later."""
    from ingestion.tasks import ingest_document_task

    try:
        ingest_document_task.apply_async(args=[document_id], retry=False)
        note_published(document_id)
    except Exception as exc:  # kombu raises OperationalError and friends, redis RedisError
        logger.warning("could not queue document %s, it stays queued: %s", document_id, exc)
        return False
    return True


def document_reingest(*, document: Document, by=None) -> None:
    Document.objects.filter(pk=document.pk).update(
        status=Status.QUEUED, progress=0, failure_reason="", updated_at=timezone.now()
    )
    transaction.on_commit(lambda: document_enqueue(document_id=document.pk))
    _audit("document_reingest", by, document)


def documents_stop() -> int:
    """Take every queued document off the queue (a long batch an admin wants to pause): its
    task, when a worker gets it, finds it no longer waiting and skips it. A document already
    being read or embedded finishes. Returns how many were stopped."""
    return Document.objects.filter(status=Status.QUEUED).update(
        status=Status.STOPPED, progress=0, updated_at=timezone.now()
    )


def documents_resume() -> int:
    """Queue again every stopped document, each with a new task once committed."""
    ids = list(Document.objects.filter(status=Status.STOPPED).values_list("pk", flat=True))
    Document.objects.filter(pk__in=ids).update(status=Status.QUEUED, updated_at=timezone.now())
    for document_id in ids:
        transaction.on_commit(lambda pk=document_id: document_enqueue(document_id=pk))
    return len(ids)


def document_set_access(*, document: Document, groups: list[Group], sensitivity: str, by=None) -> None:
    """Change who may read a document; the index follows at once, without re-embedding.

    The row is what retrieval decides on, so the change holds even when the index is down:
    then IndexUnavailable is raised for the admin to see and the repair job is queued."""
    if sensitivity not in Sensitivity.values:
        raise ValueError(f"unknown sensitivity {sensitivity!r}")
    after = Access(tuple(sorted(g.name for g in groups)), sensitivity)
    _audit("permission_change", by, document, **_access_detail(Access.of(document), after))
    document.sensitivity = sensitivity
    document.save(update_fields=["sensitivity", "updated_at"])
    document.groups.set(groups)
    try:
        index_set_readers(
            document_id=document.pk, readers=readers_for(g.pk for g in groups), sensitivity=sensitivity
        )
    except IndexUnavailable:
        transaction.on_commit(lambda: index_repair_enqueue(document_ids=[document.pk]))
        raise


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


def document_requeue_pending(*, stale_after: timedelta, max_runs: int | None = None) -> list[int]:
    """Queue again what no worker would otherwise ingest: documents queued for longer than
    `stale_after` with no task in the broker (Redis was down at upload), and runs whose claim
    lapsed (their worker died). A document whose task still waits in the broker is left to
    it, so that a worker's start duplicates nothing. One interrupted `max_runs` times
    (KB_INGEST_MAX_RUNS) fails instead. Returns the ids queued; none while Redis is down."""
    now = timezone.now()
    lapsed = Q(claim_expires_at=None) | Q(claim_expires_at__lt=now)
    left = Document.objects.filter(lapsed).filter(
        Q(status=Status.QUEUED, updated_at__lt=now - stale_after) | Q(status__in=INTERRUPTED)
    )
    candidates = dict(left.values_list("pk", "ingest_runs"))
    try:
        in_broker = waiting_in_broker(list(candidates))
    except redis.RedisError as exc:
        logger.warning("nothing requeued, Redis is unavailable: %s", exc)
        return []
    limit = max_runs or settings.KB_INGEST_MAX_RUNS
    worn_out = _fail_interrupted(left.filter(status__in=INTERRUPTED, ingest_runs__gte=limit), limit)
    ids = [pk for pk in candidates if pk not in in_broker and pk not in worn_out]
    return [pk for pk in ids if document_enqueue(document_id=pk)]


def _fail_interrupted(documents: QuerySet[Document], runs: int) -> set[int]:
    """A file that stops its worker every time (out of memory, a crash in a parser) must not
    be retried for ever."""
    ids = set(documents.values_list("pk", flat=True))
    Document.objects.filter(pk__in=ids).update(
        status=Status.FAILED,
        failure_reason=(
            f"ingestion was interrupted {runs} times without finishing (its worker stopped, or the "
            "run hit an error, each time; see the worker log): the file may be too large for "
            "the worker's memory"
        ),
        progress=100,
        updated_at=timezone.now(),
    )
    return ids
