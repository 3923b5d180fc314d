from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ingestion.models import Document
from ingestion.store import IndexedChunk, IndexUnavailable, index_chunks


def readable_documents(*, user) -> QuerySet[Document]:
    """Documents open to everyone (no groups) or shared with one of the user's groups: the
    database's answer, which retrieval and citations trust over the index's copy."""
    return (
        Document.objects.annotate(group_count=Count("groups"))
        .filter(Q(group_count=0) | Q(groups__in=user.groups.all()))
        .distinct()
    )


@dataclass(frozen=True)
class ReadableVersion:
    version: int | None  # the indexed version, the only one queries may see
    sensitivity: str  # the row's, never the index's copy


def readable_versions(*, user, document_ids: Iterable[int]) -> dict[int, ReadableVersion]:
    """Of these documents, those the user may read, with what retrieval decides on."""
    rows = (
        readable_documents(user=user)
        .filter(pk__in=set(document_ids))
        .values_list("pk", "indexed_version", "sensitivity")
    )
    return {pk: ReadableVersion(version, sensitivity) for pk, version, sensitivity in rows}


def document_list() -> QuerySet[Document]:
    return Document.objects.select_related("uploaded_by").prefetch_related("groups")


def document_live_chunks(*, document: Document) -> tuple[list[IndexedChunk], str]:
    """The chunks queries currently see, or an explanation when there are none to show."""
    if document.indexed_version is None:
        return [], ""
    try:
        return index_chunks(document_id=document.pk, version=document.indexed_version), ""
    except IndexUnavailable as exc:
        return [], str(exc)


def document_status_rows(*, ids: list[int] | None = None) -> list[dict]:
    documents = Document.objects.all() if ids is None else Document.objects.filter(pk__in=ids)
    return [
        {
            "id": d.pk,
            "status": d.status,
            "progress": d.progress,
            "reason": d.failure_reason,
            "chunks": d.chunk_count,
            "version": d.version,
            "indexed_version": d.indexed_version,
        }
        for d in documents.only(
            "pk", "status", "progress", "failure_reason", "chunk_count", "version", "indexed_version"
        )
    ]
