"""The local vector index (Chroma): every chunk with the metadata that permissions need.

Embedded Chroma when CHROMA_HOST is unset (one process); a Chroma server otherwise, which
is what `make run` starts because the web server and the worker both use the index.
Embeddings are always computed by us, so Chroma's own (downloading) embedding function
is never configured.
"""

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings

COLLECTION = "kb_chunks"
# Sentence embeddings of every chunk, computed at ingestion so that condensing a request
# only has to embed the question.
SENTENCES = "kb_sentences"
EVERYONE = "all"
_WRITE_BATCH = 1000
_READ_PAGE = 5000


class IndexUnavailable(Exception):
    """Chroma could not be reached; transient, so ingestion retries."""


class IndexModelMismatch(Exception):
    """The index was built with another embedding model; its vectors are not comparable."""


@dataclass(frozen=True)
class IndexedChunk:
    chunk_id: str
    document_id: int
    version: int
    text: str
    metadata: dict[str, Any]
    score: float | None = None


def readers_for(group_ids: Iterable[int]) -> list[str]:
    """Reader keys stored on each chunk: its groups, or 'all' when the document is open to everyone."""
    keys = [f"g{group_id}" for group_id in sorted(group_ids)]
    return keys or [EVERYONE]


def reader_keys(group_ids: Iterable[int]) -> tuple[str, ...]:
    """The reader keys a member of these groups holds: everyone's, and each group's."""
    return (EVERYONE, *(f"g{g}" for g in sorted(group_ids)))


def readers_filter(group_ids: Iterable[int]) -> dict[str, Any]:
    """A Chroma `where` clause matching chunks that a member of these groups may read."""
    clauses = [{"readers": {"$contains": key}} for key in reader_keys(group_ids)]
    return clauses[0] if len(clauses) == 1 else {"$or": clauses}


def may_read(chunk: "IndexedChunk", keys: frozenset[str]) -> bool:
    """The index copy's word on access (the database has the last word, ingestion.selectors)."""
    return not keys.isdisjoint(chunk.metadata.get("readers") or ())


def chunk_id(document_id: int, version: int, position: int) -> str:
    return f"d{document_id}-v{version}-c{position}"


@functools.cache
def _client():
    import chromadb
    from chromadb.config import Settings

    if settings.CHROMA_HOST:
        from ingestion.chroma_http import TimedClient

        return TimedClient(
            host=settings.CHROMA_HOST,
            port=settings.CHROMA_PORT,
            connect_seconds=settings.CHROMA_CONNECT_TIMEOUT_SECONDS,
            read_seconds=settings.CHROMA_TIMEOUT_SECONDS,
        )
    return chromadb.PersistentClient(
        path=str(settings.CHROMA_PATH), settings=Settings(anonymized_telemetry=False)
    )


def _collection(name: str = COLLECTION):
    model_name = _model_name()
    try:
        collection = _client().get_or_create_collection(
            name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": model_name},
        )
    except Exception as exc:  # chromadb raises plain ValueError/ConnectionError/httpx errors
        _client.cache_clear()
        raise IndexUnavailable(f"vector index unreachable: {exc}") from exc
    built_with = (collection.metadata or {}).get("embedding_model")
    if built_with and built_with != model_name:  # vectors of two models do not compare
        raise IndexModelMismatch(
            f"the index was built with {built_with!r}, not {model_name!r}; run `manage.py reindex`"
        )
    return collection


def index_matches_model() -> bool:
    """Whether the index (an empty one included) was built with the configured model."""
    try:
        _collection()
    except IndexModelMismatch:
        return False
    return True


def _model_name() -> str:
    from ingestion.embed import embedding_model_name

    return embedding_model_name()


def _guard(call):
    """Run an index call, turning connection failures into IndexUnavailable."""
    try:
        return call()
    except (IndexUnavailable, IndexModelMismatch, ValueError, TypeError):
        raise  # our mistakes or a model mismatch: retrying would not help
    except Exception as exc:
        _client.cache_clear()
        raise IndexUnavailable(f"vector index call failed: {exc}") from exc


def index_write(
    *,
    ids: Sequence[str],
    texts: Sequence[str],
    embeddings: Sequence[Sequence[float]],
    metadatas: Sequence[dict[str, Any]],
) -> None:
    """Upsert, so that writing the same chunk twice (a retried task) never duplicates it."""
    collection = _collection()
    for start in range(0, len(ids), _WRITE_BATCH):
        end = start + _WRITE_BATCH
        _guard(
            lambda s=start, e=end: collection.upsert(
                ids=list(ids[s:e]),
                documents=list(texts[s:e]),
                embeddings=[list(v) for v in embeddings[s:e]],
                metadatas=list(metadatas[s:e]),
            )
        )


def index_delete(*, document_id: int, keep_version: int | None = None) -> None:
    """Remove a document's chunks and their sentences; with keep_version, every version but that one."""
    where: dict[str, Any] = {"document_id": document_id}
    if keep_version is not None:
        where = {"$and": [where, {"version": {"$ne": keep_version}}]}
    for name in (COLLECTION, SENTENCES):
        collection = _collection(name)
        _guard(lambda c=collection: c.delete(where=where))


def index_delete_version(*, document_id: int, version: int) -> None:
    where = {"$and": [{"document_id": document_id}, {"version": version}]}
    for name in (COLLECTION, SENTENCES):
        collection = _collection(name)
        _guard(lambda c=collection: c.delete(where=where))


def sentences_write(
    *,
    document_id: int,
    version: int,
    rows: Sequence[tuple[str, int, str]],
    embeddings: Sequence[Sequence[float]],
) -> None:
    """rows: (chunk id, sentence number, sentence text), aligned with embeddings."""
    collection = _collection(SENTENCES)
    for start in range(0, len(rows), _WRITE_BATCH):
        batch = rows[start : start + _WRITE_BATCH]
        _guard(
            lambda b=batch, s=start: collection.upsert(
                ids=[f"{chunk}-s{n}" for chunk, n, _ in b],
                documents=[text for _, _, text in b],
                embeddings=[list(v) for v in embeddings[s : s + len(b)]],
                metadatas=[
                    {"chunk_id": chunk, "n": n, "document_id": document_id, "version": version}
                    for chunk, n, _ in b
                ],
            )
        )


def sentences_for(chunk_ids: Sequence[str]) -> dict[str, list[tuple[str, list[float]]]]:
    """Each chunk's sentences with their embeddings, in order."""
    if not chunk_ids:
        return {}
    collection = _collection(SENTENCES)
    found = _guard(
        lambda: collection.get(
            where={"chunk_id": {"$in": list(chunk_ids)}}, include=["documents", "metadatas", "embeddings"]
        )
    )
    rows = sorted(
        zip(found["metadatas"], found["documents"], found["embeddings"], strict=True),
        key=lambda r: (r[0]["chunk_id"], r[0]["n"]),
    )
    by_chunk: dict[str, list[tuple[str, list[float]]]] = {}
    for meta, text, vector in rows:
        by_chunk.setdefault(meta["chunk_id"], []).append((text, list(vector)))
    return by_chunk


@dataclass(frozen=True)
class ChunkAccess:
    """The copy of a document's access that each of its chunks carries: the query prefilter
    reads it, but retrieval decides on the document's row (router.retrieve)."""

    readers: tuple[str, ...]
    sensitivity: str


def index_access(*, document_ids: Collection[int] | None = None) -> dict[int, set[ChunkAccess]]:
    """The distinct access stamps on each document's chunks (all documents when None), read a
    page at a time so that a large index is never loaded at once."""
    collection = _collection()
    where = None if document_ids is None else {"document_id": {"$in": sorted(document_ids)}}
    stamps: dict[int, set[ChunkAccess]] = {}
    offset = 0
    while True:
        found = _guard(
            lambda o=offset: collection.get(where=where, include=["metadatas"], limit=_READ_PAGE, offset=o)
        )
        for meta in found["metadatas"]:
            stamp = ChunkAccess(tuple(meta.get("readers") or ()), str(meta.get("sensitivity", "")))
            stamps.setdefault(int(meta["document_id"]), set()).add(stamp)
        if len(found["ids"]) < _READ_PAGE:
            return stamps
        offset += _READ_PAGE


def index_set_readers(*, document_id: int, readers: list[str], sensitivity: str) -> int:
    """Change who may read a document's chunks without re-embedding them."""
    return _metadata_update(document_id, {"readers": readers, "sensitivity": sensitivity})


def index_set_title(*, document_id: int, title: str) -> int:
    """The title each of a document's chunks carries for its citations, without re-embedding."""
    return _metadata_update(document_id, {"title": title})


def _metadata_update(document_id: int, changes: dict[str, Any]) -> int:
    """Rewrite these metadata fields on every chunk of the document; how many chunks it has."""
    collection = _collection()
    found = _guard(lambda: collection.get(where={"document_id": document_id}, include=["metadatas"]))
    if not found["ids"]:
        return 0
    metadatas = [{**meta, **changes} for meta in found["metadatas"]]
    _guard(lambda: collection.update(ids=found["ids"], metadatas=metadatas))
    return len(found["ids"])


def index_chunks(*, document_id: int, version: int | None = None) -> list[IndexedChunk]:
    """A document's chunks in reading order, for the detail page and tests."""
    where: dict[str, Any] = {"document_id": document_id}
    if version is not None:
        where = {"$and": [where, {"version": version}]}
    collection = _collection()
    found = _guard(lambda: collection.get(where=where, include=["documents", "metadatas"]))
    chunks = [
        IndexedChunk(chunk_id=i, document_id=m["document_id"], version=m["version"], text=t, metadata=m)
        for i, t, m in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
    ]
    return sorted(chunks, key=lambda c: (c.version, c.metadata.get("position", 0)))


def index_query(*, embedding: Sequence[float], where: dict[str, Any], limit: int) -> list[IndexedChunk]:
    collection = _collection()
    found = _guard(
        lambda: collection.query(
            query_embeddings=[list(embedding)],
            n_results=limit,
            where=where or None,  # {}: the whole index (Chroma refuses an empty clause)
            include=["documents", "metadatas", "distances"],
        )
    )
    return [
        IndexedChunk(
            chunk_id=i, document_id=m["document_id"], version=m["version"], text=t, metadata=m, score=1 - d
        )
        for i, t, m, d in zip(
            found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0], strict=True
        )
    ]


def index_count() -> int:
    collection = _collection()
    return _guard(collection.count)


def index_heartbeat() -> None:
    _guard(lambda: _client().heartbeat())


def index_reset() -> None:
    """Drop the collections (reindex, tests); a missing collection is already reset."""
    from chromadb.errors import NotFoundError

    for name in (COLLECTION, SENTENCES):
        try:
            _guard(lambda n=name: _client().delete_collection(n))
        except IndexUnavailable as exc:
            if not isinstance(exc.__cause__, NotFoundError):
                raise


class VectorIndex(Protocol):
    """What retrieval and condensing need of the index: nearest chunks, and the sentence
    vectors stored with them at ingestion."""

    def query(
        self, *, embedding: Sequence[float], where: dict[str, Any], limit: int
    ) -> list[IndexedChunk]: ...

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[list[float]]]: ...


class ChromaIndex:
    """The Chroma collections (embedded, or the server named by CHROMA_HOST)."""

    def query(self, *, embedding: Sequence[float], where: dict[str, Any], limit: int) -> list[IndexedChunk]:
        return index_query(embedding=embedding, where=where, limit=limit)

    def sentence_vectors(self, chunk_ids: Sequence[str]) -> dict[str, list[list[float]]]:
        """Empty when the lookup fails: condensing then embeds the sentences itself, slower but right."""
        try:
            found = sentences_for(chunk_ids)
        except IndexUnavailable:
            return {}
        return {chunk_id: [vector for _, vector in rows] for chunk_id, rows in found.items()}
