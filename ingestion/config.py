from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from ingestion.parse import ParseLimits


@dataclass(frozen=True)
class IngestionConfig:
    max_upload_bytes: int
    chunk_tokens: int
    chunk_overlap_tokens: int
    embed_batch_size: int
    parse_limits: ParseLimits
    claim_lease: timedelta  # how long a run's claim lasts past its last heartbeat


def ingestion_config() -> IngestionConfig:
    return IngestionConfig(
        max_upload_bytes=settings.KB_UPLOAD_MAX_BYTES,
        chunk_tokens=settings.KB_CHUNK_TOKENS,
        chunk_overlap_tokens=settings.KB_CHUNK_OVERLAP_TOKENS,
        embed_batch_size=settings.KB_EMBED_BATCH_SIZE,
        parse_limits=ParseLimits(
            max_bytes=settings.KB_UPLOAD_MAX_BYTES,
            max_pages=settings.KB_MAX_PDF_PAGES,
            max_sheets=settings.KB_MAX_SHEETS,
            max_cells=settings.KB_MAX_CELLS,
            max_slides=settings.KB_MAX_SLIDES,
            ocr_enabled=settings.KB_OCR_ENABLED,
            ocr_languages=settings.KB_OCR_LANGUAGES,
            ocr_seconds_per_page=settings.KB_OCR_SECONDS_PER_PAGE,
            max_ocr_pages=settings.KB_OCR_MAX_PAGES,
        ),
        claim_lease=timedelta(seconds=settings.KB_INGEST_LEASE_SECONDS),
    )
