"""A circuit breaker for the cloud: after a run of failures stop calling it, then let one
probe through after a pause. Per process (each web worker learns on its own)."""

import threading
import time
from dataclasses import dataclass
from typing import Literal

from django.conf import settings

State = Literal["closed", "open", "half_open"]


@dataclass(frozen=True)
class BreakerStatus:
    state: State
    failures: int
    retry_in_seconds: float
    openings: int


class CircuitBreaker:
    def __init__(self, *, failure_threshold: int, cooldown_seconds: float, clock=time.monotonic) -> None:
        self._threshold = failure_threshold
        self._cooldown = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False
        self._openings = 0

    def status(self) -> BreakerStatus:
        with self._lock:
            return BreakerStatus(self._state(), self._failures, self._retry_in(), self._openings)

    def allow(self) -> bool:
        """May a call go out now? In half-open state exactly one probe is let through."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._probing:
                self._probing = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures, self._opened_at, self._probing = 0, None, False

    def record_failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._probing or self._failures >= self._threshold:
                if self._opened_at is None or self._probing:
                    self._openings += 1
                self._opened_at, self._probing = self._clock(), False

    def _state(self) -> State:
        if self._opened_at is None:
            return "closed"
        return "half_open" if self._clock() - self._opened_at >= self._cooldown else "open"

    def _retry_in(self) -> float:
        if self._opened_at is None:
            return 0.0
        return max(0.0, round(self._cooldown - (self._clock() - self._opened_at), 1))


_breaker: CircuitBreaker | None = None
_breaker_lock = threading.Lock()


def cloud_breaker() -> CircuitBreaker:
    global _breaker
    with _breaker_lock:
        if _breaker is None:
            _breaker = CircuitBreaker(
                failure_threshold=settings.ROUTER_BREAKER_FAILURES,
                cooldown_seconds=settings.ROUTER_BREAKER_COOLDOWN_SECONDS,
            )
        return _breaker


def cloud_breaker_reset() -> None:
    """Forget the breaker (settings changed, tests)."""
    global _breaker
    with _breaker_lock:
        _breaker = None
