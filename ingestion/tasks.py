from datetime import timedelta

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready
from celery.utils.log import get_task_logger
from django.conf import settings

from ingestion.pipeline import IngestResult, abandon_document, ingest_document
from ingestion.services import document_fail_after_retries, document_requeue_pending
from ingestion.store import IndexUnavailable

logger = get_task_logger(__name__)
MAX_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(IndexUnavailable,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=settings.KB_INGEST_TIME_LIMIT_SECONDS,
    time_limit=settings.KB_INGEST_TIME_LIMIT_SECONDS + 60,
)
def ingest_document_task(self, document_id: int) -> dict:
    """Thin wrapper: the document id in, the pipeline's outcome out (JSON)."""
    try:
        result = ingest_document(document_id)
    except SoftTimeLimitExceeded:
        reason = (
            f"ingestion took longer than its {settings.KB_INGEST_TIME_LIMIT_SECONDS} s limit "
            "(KB_INGEST_TIME_LIMIT_SECONDS); split the file or raise the limit"
        )
        return _outcome(abandon_document(document_id, reason))
    except IndexUnavailable as exc:
        if self.request.retries >= MAX_RETRIES:
            document_fail_after_retries(document_id=document_id, reason=str(exc))
            return {"document_id": document_id, "outcome": "failed", "reason": str(exc)}
        raise
    return _outcome(result)


def _outcome(result: IngestResult) -> dict:
    return {"document_id": result.document_id, "outcome": result.outcome, "chunks": result.chunks}


@worker_ready.connect
def requeue_on_start(**kwargs) -> None:
    """A broker outage or a killed worker leaves documents queued or mid-way: pick them up."""
    requeued = document_requeue_pending(stale_after=timedelta(minutes=settings.KB_STALE_TASK_MINUTES))
    if requeued:
        logger.info("requeued documents %s", requeued)
