"""Ingest one document: parse → chunk → embed → write to the index → indexed.

Reads top to bottom like DESIGN.md's ingestion section. Safe to run twice (chunk ids are
deterministic and written by upsert) and safe to interrupt: queries only see the version
recorded in `Document.indexed_version`, which switches after the new chunks are written,
and the superseded chunks are removed only then — never both versions, never neither.
"""

import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.utils import timezone

from ingestion.chunk import Chunk, chunk_document
from ingestion.claims import claimed, release_claim
from ingestion.config import IngestionConfig, ingestion_config
from ingestion.embed import Embedder, get_embedder
from ingestion.models import Document, DocumentVersion, Status
from ingestion.parse import ParseError, parse_document
from ingestion.repair import index_repair
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

# "skipped": the document no longer waits for ingestion, or another run holds it.
Outcome = Literal["indexed", "failed", "vanished", "superseded", "skipped"]


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    outcome: Outcome
    chunks: int = 0
    reason: str = ""


def ingest_document(document_id: int, *, config: IngestionConfig | None = None) -> IngestResult:
    """Ingest now, whatever the document's status (`ingest --sync`, `reindex --sync`, scripts)."""
    owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    return _claimed_run(document_id, owner=owner, waiting_only=False, config=config or ingestion_config())


def ingest_waiting_document(
    document_id: int, *, owner: str, config: IngestionConfig | None = None
) -> IngestResult:
    """A task's run: "skipped" when the document no longer waits for ingestion (a second task
    for it came after the first had indexed it) or another run holds it, so a document whose
    task was delivered twice is still ingested once. `owner` names the task; its retries
    hold the same claim."""
    return _claimed_run(document_id, owner=owner, waiting_only=True, config=config or ingestion_config())


def _claimed_run(
    document_id: int, *, owner: str, waiting_only: bool, config: IngestionConfig
) -> IngestResult:
    with claimed(document_id, owner=owner, lease=config.claim_lease, waiting_only=waiting_only) as held:
        if not held:
            exists = Document.objects.filter(pk=document_id).exists()
            return IngestResult(document_id, "skipped" if exists else "vanished")
        return _ingest(document_id, config)


def _ingest(document_id: int, config: IngestionConfig) -> IngestResult:
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return IngestResult(document_id, "vanished")
    version = document.version  # the claim set it parsing

    try:
        with document.file.open("rb") as handle:
            data = handle.read()
        parsed = parse_document(data, document.original_name, limits=config.parse_limits)
    except (ParseError, OSError) as exc:
        return _fail(document, version, str(exc) or exc.__class__.__name__)
    found = {"title": parsed.title.strip()[:300]} if parsed.title and parsed.title.strip() else {}
    Document.objects.filter(pk=document_id).update(
        detected_type=parsed.detected_type, detected_encoding=parsed.encoding or "", **found
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
    _set_progress(document_id, version, 20)

    vectors = _embed(document_id, version, chunks, embedder, config.embed_batch_size)
    title = found.get("title", document.title)
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
    # An access change made meanwhile met chunks stamped with what was read at the start;
    # corrected before `indexed` is announced. One made from now on rewrites them itself.
    index_repair(document_ids=[document_id])
    if not _publish(document_id, version, len(chunks)):
        index_delete_version(document_id=document_id, version=version)
        return IngestResult(document_id, "superseded")
    index_delete(document_id=document_id, keep_version=version)
    return IngestResult(document_id, "indexed", chunks=len(chunks))


def _embed(
    document_id: int, version: int, chunks: list[Chunk], embedder: Embedder, batch_size: int
) -> list[list[float]]:
    vectors: list[list[float]] = []
    for start in range(0, len(chunks), batch_size):
        batch = chunks[start : start + batch_size]
        vectors.extend(embedder.embed([_embedding_text(c) for c in batch]))
        _set_progress(document_id, version, 20 + int(75 * len(vectors) / len(chunks)))
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
        if updated:
            DocumentVersion.objects.filter(document_id=document_id, version=version).update(
                status=Status.INDEXED, chunk_count=chunk_count
            )
    return updated == 1


def _fail(document: Document, version: int, reason: str) -> IngestResult:
    """Mark failed and remove whatever this version wrote; an older indexed version keeps serving."""
    logger.info("document %s v%s failed: %s", document.pk, version, reason)
    Document.objects.filter(pk=document.pk, version=version).update(
        status=Status.FAILED, failure_reason=reason, progress=100, updated_at=timezone.now()
    )
    DocumentVersion.objects.filter(document_id=document.pk, version=version).update(status=Status.FAILED)
    # An index built by another model refuses every write, so it holds nothing of this version.
    with contextlib.suppress(IndexModelMismatch):
        index_delete_version(document_id=document.pk, version=version)
    return IngestResult(document.pk, "failed", reason=reason)


def abandon_document(document_id: int, reason: str, *, owner: str) -> IngestResult:
    """The task ran out of time: fail the version in flight, remove what it wrote, and let
    the next upload or re-ingest have the document at once."""
    document = Document.objects.filter(pk=document_id).first()
    if document is None:
        return IngestResult(document_id, "vanished")
    result = _fail(document, document.version, reason)
    release_claim(document_id, owner=owner)
    return result


def _set_progress(document_id: int, version: int, progress: int) -> None:
    """Embedding progress, only while `version` is current: a run overtaken by a new upload
    must not report on it."""
    Document.objects.filter(pk=document_id, version=version).update(
        status=Status.EMBEDDING, progress=progress, updated_at=timezone.now()
    )
