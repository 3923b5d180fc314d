"""Retrieval: the question's embedding against the local index, limited to what the user may read.

Two locks on the door: the index query is filtered by the user's groups, and every hit is
checked again against the database (current version, current groups), so a chunk of a
document the user may not read is never retrieved, condensed, sent or cited.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q

from ingestion.models import Document
from ingestion.store import index_query, readers_filter


@dataclass(frozen=True)
class RetrievedPassage:
    chunk_id: str
    document_id: int
    title: str
    text: str
    heading: str
    page: int | None
    sensitivity: str
    score: float


def readable_documents(user) -> Q:
    """Documents open to everyone (no groups) or shared with one of the user's groups."""
    return Q(group_count=0) | Q(groups__in=user.groups.all())


def retrieve(
    *, question_vector: Sequence[float], user, limit: int, min_relevance: float
) -> list[RetrievedPassage]:
    group_ids = list(user.groups.values_list("id", flat=True))
    hits = index_query(embedding=question_vector, where=readers_filter(group_ids), limit=limit * 2)
    allowed = dict(
        Document.objects.annotate(group_count=Count("groups"))
        .filter(readable_documents(user), pk__in={h.document_id for h in hits})
        .values_list("pk", "indexed_version")
        .distinct()
    )
    passages = [
        RetrievedPassage(
            chunk_id=hit.chunk_id,
            document_id=hit.document_id,
            title=hit.metadata.get("title", ""),
            text=hit.text,
            heading=hit.metadata.get("heading", ""),
            page=hit.metadata["page"] if hit.metadata.get("page", -1) > 0 else None,
            sensitivity=hit.metadata.get("sensitivity", "internal"),
            score=round(hit.score or 0.0, 4),
        )
        for hit in hits
        if allowed.get(hit.document_id) == hit.version and (hit.score or 0.0) >= min_relevance
    ]
    return passages[:limit]
