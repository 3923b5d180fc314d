"""Retrieval: the question against the local index, limited to what the user may read.

Two locks on the door: the index query is filtered by the user's groups, and every hit is
checked again against the database (current version, current groups), so a chunk of a
document the user may not read is never retrieved, condensed, sent or cited. A passage's
sensitivity, which keeps restricted text off the cloud (router.policy), is the row's too:
the copy on each chunk goes stale when the index misses an access change (ingestion.repair).

Ranking: the nearest chunks by the embedder's cosine, reranked with BM25 among them
(router.lexical.fused_scores). Whether any of them is relevant at all is
router.relevance's to say, from the readable chunks only: when none is, nothing is
returned and the answer is a plain "not found", the same whatever the user may not see.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from ingestion.selectors import readable_versions
from ingestion.store import VectorIndex, readers_filter
from router.lexical import fused_scores, terms
from router.relevance import NEAREST_CHUNKS, RELATIVE_FLOOR, coverage, margin, rule_for


@dataclass(frozen=True)
class RetrievedPassage:
    chunk_id: str
    document_id: int
    title: str
    text: str
    heading: str
    page: int | None
    sensitivity: str
    score: float  # the ranking score: cosine plus a share of BM25
    ocr: bool = False  # recognised from a scan: citations say so
    relevance: float = 0.0  # the cosine alone


def retrieve(
    *, question: str, question_vector: Sequence[float], user, index: VectorIndex, limit: int
) -> list[RetrievedPassage]:
    group_ids = list(user.groups.values_list("id", flat=True))
    hits = index.query(
        embedding=question_vector, where=readers_filter(group_ids), limit=max(NEAREST_CHUNKS, limit)
    )
    rows = readable_versions(user=user, document_ids={h.document_id for h in hits})
    hits = [h for h in hits if h.document_id in rows and rows[h.document_id].version == h.version]
    documents = [terms(_lexical_text(h.metadata.get("heading", ""), h.text)) for h in hits]
    rule = rule_for(question)
    cosines = [h.score or 0.0 for h in hits]
    if not hits or not rule.answerable(cosines[0], coverage(question, documents), margin(cosines)):
        return []
    floor = max(rule.floor, RELATIVE_FLOOR * cosines[0])
    scores = fused_scores(question, cosines, documents)  # BM25 weighs words among all 40
    ranked = sorted(
        ((hit, score) for hit, score in zip(hits, scores, strict=True) if (hit.score or 0.0) >= floor),
        key=lambda pair: -pair[1],
    )
    return [
        RetrievedPassage(
            chunk_id=hit.chunk_id,
            document_id=hit.document_id,
            title=hit.metadata.get("title", ""),
            text=hit.text,
            heading=hit.metadata.get("heading", ""),
            page=hit.metadata["page"] if hit.metadata.get("page", -1) > 0 else None,
            sensitivity=rows[hit.document_id].sensitivity,
            score=round(float(score), 4),
            ocr=bool(hit.metadata.get("ocr", False)),
            relevance=round(hit.score or 0.0, 4),
        )
        for hit, score in ranked[:limit]
    ]


def _lexical_text(heading: str, text: str) -> str:
    """What BM25 reads: the heading travels with the text, as it does into the embedding."""
    return f"{heading}\n{text}" if heading else text
