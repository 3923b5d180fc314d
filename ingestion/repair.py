"""Bring the index's copy of each document's access back in line with its row.

Every chunk carries its document's readers and sensitivity, so that the index can filter a
query before the database is asked. That copy goes stale when an access change meets an
index outage, or lands while the document is being ingested (the chunks are stamped with
what was read at the start). Retrieval never decides on it (router.retrieve re-checks the
rows), but a stale copy still hides a document from people who may now read it and shows
the admin the wrong metadata, so this job rewrites it: on worker start, after a failed
index update, and at the end of each ingestion.
"""

import logging
from collections.abc import Collection
from dataclasses import dataclass

from ingestion.models import Document
from ingestion.store import ChunkAccess, index_access, index_set_readers, readers_for

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RepairReport:
    checked: int  # documents that have chunks in the index
    repaired: list[int]  # those whose chunks were rewritten


def index_repair(*, document_ids: Collection[int] | None = None) -> RepairReport:
    """Compare the stamps on each document's chunks (all documents when None) with its row
    and rewrite the stale ones. Raises IndexUnavailable when the index is down."""
    stamps = index_access(document_ids=document_ids)
    rows = Document.objects.filter(pk__in=stamps.keys()).prefetch_related("groups")
    stale = [row.pk for row in rows if stamps[row.pk] != {_expected(row)}]
    for document_id in stale:
        _rewrite(document_id)
    if stale:
        logger.info("index access repaired for documents %s", stale)
    return RepairReport(checked=len(rows), repaired=stale)


def index_repair_enqueue(*, document_ids: list[int] | None = None) -> bool:
    """Queue the repair for the worker; if Redis is down as well, the worker's start runs it."""
    from ingestion.tasks import repair_index_task

    try:
        repair_index_task.apply_async(args=[document_ids], retry=False)
    except Exception as exc:  # kombu raises OperationalError and friends
        logger.warning("could not queue the index repair for %s: %s", document_ids or "all", exc)
        return False
    return True


def _expected(document: Document) -> ChunkAccess:
    return ChunkAccess(tuple(readers_for(g.pk for g in document.groups.all())), document.sensitivity)


def _rewrite(document_id: int) -> None:
    """Read the row again just before writing, so a change made since the comparison wins."""
    document = Document.objects.filter(pk=document_id).prefetch_related("groups").first()
    if document is None:  # deleted meanwhile: its chunks go with it
        return
    expected = _expected(document)
    index_set_readers(
        document_id=document_id, readers=list(expected.readers), sensitivity=expected.sensitivity
    )
