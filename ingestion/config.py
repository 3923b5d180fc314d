from dataclasses import dataclass

from django.conf import settings

from ingestion.parse import ParseLimits


@dataclass(frozen=True)
class IngestionConfig:
    max_upload_bytes: int
    chunk_tokens: int
    chunk_overlap_tokens: int
    embed_batch_size: int

    @property
    def parse_limits(self) -> ParseLimits:
        return ParseLimits(max_bytes=self.max_upload_bytes)


def ingestion_config() -> IngestionConfig:
    return IngestionConfig(
        max_upload_bytes=settings.KB_UPLOAD_MAX_BYTES,
        chunk_tokens=settings.KB_CHUNK_TOKENS,
        chunk_overlap_tokens=settings.KB_CHUNK_OVERLAP_TOKENS,
        embed_batch_size=settings.KB_EMBED_BATCH_SIZE,
    )
