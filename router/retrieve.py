"""Retrieval: the question's embedding against the local index, limited to what the user may read.

Two locks on the door: the index query is filtered by the user's groups, and every hit is
checked again against the database (current version, current groups), so a chunk of a
document the user may not read is never retrieved, condensed, sent or cited.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from ingestion.selectors import readable_versions
from ingestion.store import VectorIndex, readers_filter


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
    ocr: bool = False  # recognised from a scan: citations say so


def retrieve(
    *, question_vector: Sequence[float], user, index: VectorIndex, limit: int, min_relevance: float
) -> list[RetrievedPassage]:
    group_ids = list(user.groups.values_list("id", flat=True))
    hits = index.query(embedding=question_vector, where=readers_filter(group_ids), limit=limit * 2)
    allowed = readable_versions(user=user, document_ids={h.document_id for h in hits})
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
            ocr=bool(hit.metadata.get("ocr", False)),
        )
        for hit in hits
        if allowed.get(hit.document_id) == hit.version and (hit.score or 0.0) >= min_relevance
    ]
    return passages[:limit]
