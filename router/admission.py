"""Admission to the local model: one generation at a time per process, a bounded line
behind it and a deadline for waiting in it.

Without a bound, every web thread queues for the one llama.cpp context and, under load, a
request waits as long as all the answers before it take (50 s at 20 users). Past the bound
a request is refused its draft at once, and its answer quotes the passages instead."""

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from router.errors import BackendUnavailable


@dataclass(frozen=True)
class QueueLimits:
    waiting: int  # requests that may wait behind the one being served
    wait_seconds: float  # how long one of them may wait before it is refused


class LocalModelBusy(BackendUnavailable):
    """The local model's line is full, or a request waited in it past the deadline. Not a
    fault of the model: the answer does without a draft."""


class ModelQueue:
    """One holder at a time; the others wait in arrival order, as many and as long as the
    limits allow. Thread-safe; one per model in the process."""

    def __init__(self, limits: QueueLimits) -> None:
        self.limits = limits
        self._changed = threading.Condition()
        self._holder: object | None = None
        self._line: deque[object] = deque()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the model for the body of the `with`; raises LocalModelBusy instead of
        waiting beyond the limits."""
        me = object()
        with self._changed:
            self._enter(me)
        try:
            yield
        finally:
            with self._changed:
                self._leave()

    def _enter(self, me: object) -> None:
        if self._holder is None:  # the line is empty whenever nobody holds the model
            self._holder = me
            return
        if len(self._line) >= self.limits.waiting:
            raise LocalModelBusy(f"the local model is busy: {len(self._line)} request(s) already wait for it")
        self._line.append(me)
        if not self._changed.wait_for(lambda: self._holder is me, timeout=self.limits.wait_seconds):
            self._line.remove(me)
            raise LocalModelBusy(
                f"the local model is busy: waited {self.limits.wait_seconds:g} s without a turn"
            )

    def _leave(self) -> None:
        self._holder = self._line.popleft() if self._line else None  # handed on in arrival order
        self._changed.notify_all()
