"""One ingestion at a time per document: a claim with a lease, kept in the document's row.

The holder renews its claim from a heartbeat thread. A worker that dies (kill -9, out of
memory, a lost machine) stops renewing it, and once the lease lapses the sweep
(`ingestion.services.document_requeue_pending`) queues the document again. The claim lives
in the database rather than in Redis so that a Redis restart cannot free a claim still held.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from ingestion.models import IN_PROGRESS, Document, Status

logger = logging.getLogger(__name__)
INTERRUPTED = (Status.PARSING, Status.EMBEDDING)


def claim_document(document_id: int, *, owner: str, lease: timedelta, waiting_only: bool) -> bool:
    """Take the document for `owner`, unless another holder's claim is still alive.

    With `waiting_only` a document that no longer waits for ingestion (indexed or failed
    meanwhile) is not taken: a task delivered twice then does nothing the second time.
    Taking it starts a run: status parsing, and `ingest_runs` counts the runs of this
    ingestion (1, or one more when a run before it was interrupted).
    """
    now = timezone.now()
    free = Q(claim_expires_at=None) | Q(claim_expires_at__lt=now) | Q(claimed_by=owner)
    rows = Document.objects.filter(free, pk=document_id)
    if waiting_only:
        rows = rows.filter(status__in=IN_PROGRESS)
    taken = rows.update(
        claimed_by=owner,
        claim_expires_at=now + lease,
        ingest_runs=Case(When(status__in=INTERRUPTED, then=F("ingest_runs") + 1), default=Value(1)),
        status=Status.PARSING,
        progress=5,
        updated_at=now,
    )
    return taken == 1


def renew_claim(document_id: int, *, owner: str, lease: timedelta) -> bool:
    """Push the claim's expiry to `lease` from now; False when `owner` no longer holds it."""
    expires = timezone.now() + lease
    return Document.objects.filter(pk=document_id, claimed_by=owner).update(claim_expires_at=expires) == 1


def release_claim(document_id: int, *, owner: str) -> None:
    Document.objects.filter(pk=document_id, claimed_by=owner).update(claimed_by="", claim_expires_at=None)


@contextmanager
def claimed(document_id: int, *, owner: str, lease: timedelta, waiting_only: bool) -> Iterator[bool]:
    """Hold the claim for the `with` block (True), or do not get it (False).

    Released when the block ends normally. When it raises, the claim is left to lapse, so
    that the document is retried (by the task's own retry, which holds the same owner, or
    by the sweep) rather than taken at once by a duplicate task.
    """
    if not claim_document(document_id, owner=owner, lease=lease, waiting_only=waiting_only):
        yield False
        return
    stop = threading.Event()
    heartbeat = threading.Thread(
        target=_heartbeat, args=(document_id, owner, lease, stop), name=f"claim-{document_id}", daemon=True
    )
    heartbeat.start()
    try:
        yield True
    finally:
        # Not joined: a beat still waiting on a busy database only renews a claim held by
        # `owner`, and so does nothing once the claim is released.
        stop.set()
    release_claim(document_id, owner=owner)  # not reached when the block raised


def _heartbeat(document_id: int, owner: str, lease: timedelta, stop: threading.Event) -> None:
    try:
        while not stop.wait(lease.total_seconds() / 3):
            try:
                renew_claim(document_id, owner=owner, lease=lease)
            except DatabaseError as exc:  # a busy database: the next beat comes before the lease ends
                logger.warning("could not renew the claim on document %s: %s", document_id, exc)
    finally:
        connection.close()  # this thread's own connection
