"""Admission to the local model: one generation at a time per process, a bounded line
behind it and a deadline for waiting in it.

Without a bound, every web thread queues for the one llama.cpp context and, under load, a
request waits as long as all the answers before it take (50 s at 20 users). Past the bound
a request is refused at once, with an estimate of when to retry, so the client can come
back instead of holding a thread."""

import math
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from router.errors import BackendUnavailable

# How much the newest turn weighs in the running estimate of how long a turn takes.
TURN_ESTIMATE_WEIGHT = 0.3


@dataclass(frozen=True)
class QueueLimits:
    waiting: int  # requests that may wait behind the one being served
    wait_seconds: float  # how long one of them may wait before it is refused


class LocalModelBusy(BackendUnavailable):
    """The local model's line is full, or a request waited in it past the deadline. Not a
    fault of the model: the request is refused with a time to retry, not answered worse."""

    def __init__(self, message: str, *, retry_after_seconds: int) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class ModelQueue:
    """One holder at a time; the others wait in arrival order, as many and as long as the
    limits allow. Thread-safe; one per model in the process."""

    def __init__(self, limits: QueueLimits) -> None:
        self.limits = limits
        self._changed = threading.Condition()
        self._holder: object | None = None
        self._line: deque[object] = deque()
        self._turn_seconds: float | None = None  # running estimate, None until a turn ended

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the model for the body of the `with`; raises LocalModelBusy instead of
        waiting beyond the limits."""
        me = object()
        with self._changed:
            self._enter(me)
        started = time.monotonic()
        try:
            yield
        finally:
            with self._changed:
                self._leave(time.monotonic() - started)

    def _enter(self, me: object) -> None:
        if self._holder is None:  # the line is empty whenever nobody holds the model
            self._holder = me
            return
        if len(self._line) >= self.limits.waiting:
            raise self._busy(f"{len(self._line)} request(s) already wait for it")
        self._line.append(me)
        if not self._changed.wait_for(lambda: self._holder is me, timeout=self.limits.wait_seconds):
            self._line.remove(me)
            raise self._busy(f"waited {self.limits.wait_seconds:g} s without a turn")

    def _leave(self, took: float) -> None:
        previous = self._turn_seconds
        self._turn_seconds = took if previous is None else previous + TURN_ESTIMATE_WEIGHT * (took - previous)
        self._holder = self._line.popleft() if self._line else None  # handed on in arrival order
        self._changed.notify_all()

    def _busy(self, why: str) -> LocalModelBusy:
        per_turn = self.limits.wait_seconds if self._turn_seconds is None else self._turn_seconds
        retry = max(1, math.ceil(per_turn * (len(self._line) + 1)))
        return LocalModelBusy(f"the local model is busy: {why}", retry_after_seconds=retry)
