"""Which documents have an ingestion task waiting in the broker.

The sweep must not queue a document a second time while its task still waits behind
others. Asking the broker would mean reading kombu's private message layout, so each
published task is noted in a Redis set next to the broker's queues, and taken off when a
worker receives it. The set shares the broker's fate: when Redis restarts empty, both the
tasks and the notes are gone, and the sweep queues those documents again.
"""

from functools import cache

import redis
from django.conf import settings

KEY = "kb:ingest:in-broker"


@cache
def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL,
        socket_connect_timeout=settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_connect_timeout"],
        socket_timeout=settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"],
    )


def note_published(document_id: int) -> None:
    _client().sadd(KEY, document_id)


def note_received(document_id: int) -> None:
    _client().srem(KEY, document_id)


def waiting_in_broker(document_ids: list[int]) -> set[int]:
    """Those of `document_ids` that have a task waiting. Raises redis.RedisError when Redis is down."""
    if not document_ids:
        return set()
    found = _client().smismember(KEY, document_ids)
    return {document_id for document_id, present in zip(document_ids, found, strict=True) if present}
