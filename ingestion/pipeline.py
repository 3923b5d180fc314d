"""Ingest one document: parse → chunk → embed → write to the index → indexed.

Reads top to bottom like DESIGN.md's ingestion section. Safe to run twice (chunk ids are
deterministic and written by upsert) and safe to interrupt: queries only see the version
recorded in `Document.indexed_version`, which switches after the new chunks are written,
and the superseded chunks are removed only then — never both versions, never neither.
"""

import contextlib
import logging
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.utils import timezone

from ingestion.chunk import Chunk, chunk_document
from ingestion.config import IngestionConfig, ingestion_config
from ingestion.embed import Embedder, get_embedder
from ingestion.models import Document, Status
from ingestion.parse import ParseError, parse_document
from ingestion.store import (
    IndexModelMismatch,
    chunk_id,
    index_delete,
    index_delete_version,
    index_write,
    readers_for,
    sentences_write,
)
from ingestion.text import split_sentences

logger = logging.getLogger(__name__)

Outcome = Literal["indexed", "failed", "vanished", "superseded"]


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    outcome: Outcome
    chunks: int = 0
    reason: str = ""


def ingest_document(document_id: int, *, config: IngestionConfig | None = None) -> IngestResult:
    config = config or ingestion_config()
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return IngestResult(document_id, "vanished")
    version = document.version
    _set_progress(document_id, Status.PARSING, 5)

    try:
        with document.file.open("rb") as handle:
            data = handle.read()
        parsed = parse_document(data, document.original_name, limits=config.parse_limits)
    except (ParseError, OSError) as exc:
        return _fail(document, version, str(exc) or exc.__class__.__name__)
    Document.objects.filter(pk=document_id).update(
        detected_type=parsed.detected_type, detected_encoding=parsed.encoding or ""
    )

    embedder = get_embedder()
    chunks = chunk_document(
        parsed,
        count_tokens=embedder.count_tokens,
        max_tokens=min(config.chunk_tokens, embedder.max_tokens),
        overlap_tokens=config.chunk_overlap_tokens,
    )
    if not chunks:
        return _fail(document, version, "the document contains no readable text")
    _set_progress(document_id, Status.EMBEDDING, 20)

    vectors = _embed(document_id, chunks, embedder, config.embed_batch_size)
    title = parsed.title or document.title
    readers = readers_for(document.groups.values_list("id", flat=True))
    ids = [chunk_id(document_id, version, c.position) for c in chunks]
    try:
        _write_sentences(document_id, version, ids, chunks, embedder, config.embed_batch_size)
        index_write(
            ids=ids,
            texts=[c.text for c in chunks],
            embeddings=vectors,
            metadatas=[_metadata(document, version, title, readers, c) for c in chunks],
        )
    except IndexModelMismatch as exc:  # no retry helps: only `manage.py reindex`, which its message names
        return _fail(document, version, str(exc))
    if not _publish(document_id, version, len(chunks)):
        index_delete_version(document_id=document_id, version=version)
        return IngestResult(document_id, "superseded")
    index_delete(document_id=document_id, keep_version=version)
    return IngestResult(document_id, "indexed", chunks=len(chunks))


def _embed(document_id: int, chunks: list[Chunk], embedder: Embedder, batch_size: int) -> list[list[float]]:
    vectors: list[list[float]] = []
    for start in range(0, len(chunks), batch_size):
        batch = chunks[start : start + batch_size]
        vectors.extend(embedder.embed([_embedding_text(c) for c in batch]))
        _set_progress(document_id, Status.EMBEDDING, 20 + int(75 * len(vectors) / len(chunks)))
    return vectors


def _write_sentences(
    document_id: int, version: int, ids: list[str], chunks: list[Chunk], embedder: Embedder, batch: int
):
    """Condensing needs each sentence's embedding; computing them here keeps requests fast."""
    rows = [
        (chunk_id, n, sentence)
        for chunk_id, chunk in zip(ids, chunks, strict=True)
        for n, sentence in enumerate(split_sentences(chunk.text))
    ]
    texts = [text for _, _, text in rows]
    vectors = [
        v for start in range(0, len(texts), batch) for v in embedder.embed(texts[start : start + batch])
    ]
    sentences_write(document_id=document_id, version=version, rows=rows, embeddings=vectors)


def _embedding_text(chunk: Chunk) -> str:
    """The heading travels with the text so that a chunk is found by what its section is about."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def _metadata(document: Document, version: int, title: str, readers: list[str], chunk: Chunk) -> dict:
    return {
        "document_id": document.pk,
        "version": version,
        "title": title,
        "sensitivity": document.sensitivity,
        "readers": readers,
        "position": chunk.position,
        "page": chunk.page if chunk.page is not None else -1,
        "heading": chunk.heading,
        "tokens": chunk.token_count,
        "ocr": chunk.ocr,
    }


def _publish(document_id: int, version: int, chunk_count: int) -> bool:
    """Switch queries to the new version, unless a newer upload arrived meanwhile."""
    with transaction.atomic():
        updated = Document.objects.filter(pk=document_id, version=version).update(
            indexed_version=version,
            status=Status.INDEXED,
            progress=100,
            chunk_count=chunk_count,
            failure_reason="",
            indexed_at=timezone.now(),
            updated_at=timezone.now(),
        )
    return updated == 1


def _fail(document: Document, version: int, reason: str) -> IngestResult:
    """Mark failed and remove whatever this version wrote; an older indexed version keeps serving."""
    logger.info("document %s v%s failed: %s", document.pk, version, reason)
    Document.objects.filter(pk=document.pk, version=version).update(
        status=Status.FAILED, failure_reason=reason, progress=100, updated_at=timezone.now()
    )
    # An index built by another model refuses every write, so it holds nothing of this version.
    with contextlib.suppress(IndexModelMismatch):
        index_delete_version(document_id=document.pk, version=version)
    return IngestResult(document.pk, "failed", reason=reason)


def abandon_document(document_id: int, reason: str) -> IngestResult:
    """The task ran out of time: fail the version in flight and remove what it wrote."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return IngestResult(document_id, "vanished")
    return _fail(document, document.version, reason)


def _set_progress(document_id: int, status: str, progress: int) -> None:
    Document.objects.filter(pk=document_id).update(
        status=status, progress=progress, updated_at=timezone.now()
    )
