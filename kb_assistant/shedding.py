"""The web tier's bound on answers in flight per process.

gunicorn's gthread workers queue every connection beyond their threads, without a bound that
a client would ever see. So at most WEB_ANSWERS_IN_FLIGHT answers stream at once in a
process, fewer than its WEB_THREADS: a question past that is refused at once, 503 with
Retry-After (the `openai` SDK waits and retries by itself), and the threads left keep
pages and `/healthz` answering while the answers run."""

import functools
import threading
from collections.abc import Iterable, Iterator

from django.conf import settings


class AnswerSlot:
    """One answer's place; released once, when its stream ends or is closed."""

    def __init__(self, slots: threading.BoundedSemaphore) -> None:
        self._slots = slots
        self._released = threading.Event()

    def release(self) -> None:
        if not self._released.is_set():
            self._released.set()
            self._slots.release()


class HeldStream:
    """A response body that holds its answer's slot until it is exhausted or closed: the WSGI
    server closes every response, even one it never began to send."""

    def __init__(self, body: Iterable[bytes], slot: AnswerSlot) -> None:
        self._body = iter(body)
        self._slot = slot

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        try:
            return next(self._body)
        except BaseException:
            self._slot.release()
            raise

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._slot.release()


@functools.cache
def _slots(limit: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(limit)


def answer_slot() -> AnswerSlot | None:
    """A place for one more answer in this process, or None when all are taken."""
    slots = _slots(settings.WEB_ANSWERS_IN_FLIGHT)
    return AnswerSlot(slots) if slots.acquire(blocking=False) else None
