"""The worker's sweep: now and every KB_SWEEP_SECONDS, queue again what a dead worker or a
Redis outage left behind (`ingestion.services.document_requeue_pending`).

It runs as a thread of the worker's main process, started when the worker is ready, so it
resumes queued documents after Redis returns without anyone restarting the worker. Every
worker sweeps; a document queued twice is still ingested once.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection

from ingestion.services import document_requeue_pending

logger = logging.getLogger(__name__)


def sweep_start() -> None:
    threading.Thread(target=_sweep_forever, name="ingestion-sweep", daemon=True).start()


def _sweep_forever() -> None:
    stale = timedelta(minutes=settings.KB_STALE_TASK_MINUTES)
    while True:
        try:
            requeued = document_requeue_pending(stale_after=stale)
            if requeued:
                logger.info("requeued documents %s", requeued)
        except Exception:  # the sweep outlives a database hiccup; the next round tries again
            logger.exception("the ingestion sweep failed")
        finally:
            connection.close()
        time.sleep(settings.KB_SWEEP_SECONDS)
