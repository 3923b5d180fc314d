"""Retrieval: the question against the local index, limited to what the user may read.

Two locks on the door: the index query is filtered by the user's groups, and every hit is
checked again against the database (current version, current groups), so a chunk of a
document the user may not read is never retrieved, condensed, sent or cited. A passage's
sensitivity, which keeps restricted text off the cloud (router.policy), is the row's too:
the copy on each chunk goes stale when the index misses an access change (ingestion.repair).

The first lock is applied here, not in Chroma: its reader filter (a `$contains` over every
chunk's reader list) costs about 30 ms at 10,000 chunks against 4 ms for the plain nearest
search (docs/benchmarks.md). So the nearest SEARCH_WINDOW chunks of the whole index are
fetched, those the user's reader keys do not open are dropped before anything reads them,
and only when too few readable ones are left is Chroma asked again with its filter. The same
search counts, for the audit, how many of the nearest the user's access withheld.

Ranking: the nearest chunks by the embedder's cosine, reranked with BM25 among them
(router.lexical.fused_scores). Whether any of them is relevant at all is
router.relevance's to say, from the readable chunks only: when none is, nothing is
returned and the answer is a plain "not found", the same whatever the user may not see.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ingestion.selectors import ReadableVersion, readable_versions
from ingestion.store import IndexedChunk, VectorIndex, may_read, reader_keys, readers_filter
from router.lexical import fused_scores, terms
from router.relevance import NEAREST_CHUNKS, RELATIVE_FLOOR, coverage, margin, rule_for, translated_coverage

SEARCH_WINDOW = 4 * NEAREST_CHUNKS  # nearest of the whole index fetched before the reader filter


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


@dataclass(frozen=True)
class Retrieval:
    passages: list[RetrievedPassage]  # empty when nothing readable is relevant enough
    withheld_by_access: (
        int  # of the NEAREST_CHUNKS nearest in the whole index, how many the user may not read
    )


def retrieve(
    *, question: str, question_vector: Sequence[float], user, index: VectorIndex, limit: int
) -> Retrieval:
    """The passages, and for the audit only (never shown, no titles) the count that access
    withheld; a chunk of a superseded version is stale, not withheld."""
    group_ids = list(user.groups.values_list("id", flat=True))
    wanted = max(NEAREST_CHUNKS, limit)
    window = max(SEARCH_WINDOW, wanted)
    nearest = index.query(embedding=question_vector, where={}, limit=window)
    keys = frozenset(reader_keys(group_ids))
    hits = [h for h in nearest if may_read(h, keys)]
    if len(hits) < wanted and len(nearest) == window:  # readable ones may lie beyond the window
        hits = index.query(embedding=question_vector, where=readers_filter(group_ids), limit=wanted)
    hits = hits[:wanted]
    closest = nearest[:NEAREST_CHUNKS]
    rows = readable_versions(user=user, document_ids={h.document_id for h in [*hits, *closest]})
    withheld = sum(1 for h in closest if h.document_id not in rows)
    hits = [h for h in hits if h.document_id in rows and rows[h.document_id].version == h.version]
    return Retrieval(_ranked_passages(question, hits, rows, limit), withheld)


def _ranked_passages(
    question: str, hits: list[IndexedChunk], rows: Mapping[int, ReadableVersion], limit: int
) -> list[RetrievedPassage]:
    texts = [_lexical_text(h.metadata.get("heading", ""), h.text) for h in hits]
    documents = [terms(text) for text in texts]
    rule = rule_for(question)
    cosines = [h.score or 0.0 for h in hits]
    if not hits or not rule.answerable(
        cosines[0],
        coverage(question, documents),
        margin(cosines),
        lambda: translated_coverage(question, texts, documents),
    ):
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
