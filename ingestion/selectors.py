from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from ingestion.models import Document, Status
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


def document_list(*, status: str = "", group: str = "") -> QuerySet[Document]:
    """Every document, or those in one status and readable by one group ("everyone": the
    documents with no reader group)."""
    documents = Document.objects.select_related("uploaded_by").prefetch_related("groups")
    if status:
        documents = documents.filter(status=status)
    if group == "everyone":
        documents = documents.filter(groups=None)
    elif group:
        documents = documents.filter(groups__name=group)
    return documents


def document_batch_state() -> dict[str, bool]:
    """Whether any document waits in the queue (it can be stopped) or was stopped (resumed)."""
    return {
        "queued": Document.objects.filter(status=Status.QUEUED).exists(),
        "stopped": Document.objects.filter(status=Status.STOPPED).exists(),
    }


def document_versions(*, document: Document) -> list[dict]:
    """The document's versions, newest first, each with what changed from the one before:
    size and chunk count (None where either side is unknown)."""
    rows = list(document.versions.select_related("uploaded_by").order_by("version"))
    history = []
    for previous, row in zip([None, *rows], rows, strict=False):
        history.append(
            {
                "row": row,
                "size_change": row.size_bytes - previous.size_bytes if previous else None,
                "chunk_change": (
                    row.chunk_count - previous.chunk_count
                    if previous and row.chunk_count is not None and previous.chunk_count is not None
                    else None
                ),
                "renamed_from": previous.original_name
                if previous and previous.original_name != row.original_name
                else "",
            }
        )
    return history[::-1]


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
            "status_label": d.get_status_display(),
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
