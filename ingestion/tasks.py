from datetime import timedelta

import redis
from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from celery.utils.log import get_task_logger
from django.conf import settings

from ingestion.broker import note_received
from ingestion.claims import release_claim, renew_claim
from ingestion.pipeline import IngestResult, abandon_document, ingest_waiting_document
from ingestion.repair import index_repair, index_repair_enqueue
from ingestion.services import document_enqueue, document_fail_after_retries
from ingestion.store import IndexUnavailable
from ingestion.sweep import sweep_start

logger = get_task_logger(__name__)
MAX_RETRIES = 5
REPAIR_MAX_RETRIES = 15  # with the backoff capped at 300 s: about an hour of index outage


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(IndexUnavailable,),
    retry_backoff=5,
    retry_backoff_max=settings.KB_INGEST_RETRY_BACKOFF_MAX_SECONDS,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.KB_INGEST_TIME_LIMIT_SECONDS,
    time_limit=settings.KB_INGEST_HARD_TIME_LIMIT_SECONDS,
)
def ingest_document_task(self, document_id: int) -> dict:
    """Thin wrapper: the document id in, the pipeline's outcome out (JSON). Delivered twice,
    it ingests once; its retries keep the task id, and so the document's claim."""
    _note_received(document_id)
    owner = self.request.id
    try:
        result = ingest_waiting_document(document_id, owner=owner)
    except SoftTimeLimitExceeded:
        reason = (
            f"ingestion took longer than its {settings.KB_INGEST_TIME_LIMIT_SECONDS} s limit "
            "(KB_INGEST_TIME_LIMIT_SECONDS); split the file or raise the limit"
        )
        return _outcome(abandon_document(document_id, reason, owner=owner))
    except IndexUnavailable as exc:
        if self.request.retries >= MAX_RETRIES:
            document_fail_after_retries(document_id=document_id, reason=str(exc))
            release_claim(document_id, owner=owner)
            return {"document_id": document_id, "outcome": "failed", "reason": str(exc)}
        # Hold the claim through the wait, so that the sweep does not start a second run.
        wait = timedelta(
            seconds=settings.KB_INGEST_RETRY_BACKOFF_MAX_SECONDS + settings.KB_INGEST_LEASE_SECONDS
        )
        renew_claim(document_id, owner=owner, lease=wait)
        raise
    if result.outcome == "superseded":  # the new version's task may have been skipped meanwhile
        document_enqueue(document_id=document_id)
    return _outcome(result)


def _note_received(document_id: int) -> None:
    try:
        note_received(document_id)
    except redis.RedisError as exc:  # the note only spares the sweep a duplicate, which is harmless
        logger.warning("could not note document %s as received: %s", document_id, exc)


def _outcome(result: IngestResult) -> dict:
    return {"document_id": result.document_id, "outcome": result.outcome, "chunks": result.chunks}


@worker_ready.connect
def start_sweeping(**kwargs) -> None:
    """Documents a dead worker or a Redis outage left behind are taken up again."""
    sweep_start()


@shared_task(
    autoretry_for=(IndexUnavailable,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=REPAIR_MAX_RETRIES,
)
def repair_index_task(document_ids: list[int] | None = None) -> dict:
    """Thin wrapper over ingestion.repair, retried while the index is down."""
    report = index_repair(document_ids=document_ids)
    return {"checked": report.checked, "repaired": report.repaired}


@worker_ready.connect
def repair_index_on_start(**kwargs) -> None:
    """An access change that met an index outage may have left stale copies: check them all."""
    index_repair_enqueue(document_ids=None)
