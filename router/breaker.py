"""A circuit breaker for the cloud: after a run of failures stop calling it, then let one
probe through after a pause. A permanent failure (a refused key, an unknown model) opens it
at once: retrying the same call would not help.

The state lives in Redis, so every web worker (and every machine) learns from the others'
failures at once; the moving average of the cloud's answer time lives beside it, so all
workers route on the same figure. A Redis that cannot be reached must not stop answers:
the breaker then keeps its state in the process until Redis is back.
"""

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Literal, Protocol, TypeVar

import redis

logger = logging.getLogger(__name__)

State = Literal["closed", "open", "half_open"]
T = TypeVar("T")
REDIS_KEY = "kb-assistant:breaker:cloud"
REDIS_TIMEOUT_SECONDS = 0.25
STATE_TTL_SECONDS = 86_400
REDIS_RETRY_AFTER_SECONDS = 10.0  # after Redis failed, how long to stay on the in-process state
LATENCY_WEIGHT = 0.3  # of the newest answer time in the moving average


@dataclass(frozen=True)
class BreakerStatus:
    state: State
    failures: int
    retry_in_seconds: float
    openings: int
    latency_ms: float = 0.0  # moving average of recent successful cloud answers
    permanent: bool = False  # opened by a failure that retrying would not fix


@dataclass
class BreakerState:
    failures: int = 0
    opened_at: float | None = None
    probe_until: float | None = None  # a probe is out until then (a lease, in case its process dies)
    openings: int = 0
    latency_ms: float = 0.0
    permanent: bool = False


class BreakerStore(Protocol):
    def update(self, change: Callable[[BreakerState], T]) -> T:
        """Apply `change` to the state atomically and keep what it left."""

    def clear(self) -> None:
        """Forget the state."""


class MemoryStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = BreakerState()

    def update(self, change: Callable[[BreakerState], T]) -> T:
        with self._lock:
            return change(self._state)

    def clear(self) -> None:
        with self._lock:
            self._state = BreakerState()


class RedisStore:
    """The state as one JSON value, changed in optimistic transactions (WATCH/MULTI)."""

    def __init__(self, url: str, *, key: str = REDIS_KEY, fallback: BreakerStore | None = None) -> None:
        self._client = redis.Redis.from_url(
            url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
        )
        self._key = key
        self._fallback = fallback or MemoryStore()
        self._unreachable_until = 0.0

    def update(self, change: Callable[[BreakerState], T]) -> T:
        if time.monotonic() < self._unreachable_until:
            return self._fallback.update(change)
        try:
            return self._client.transaction(
                lambda pipe: self._apply(pipe, change), self._key, value_from_callable=True
            )
        except redis.RedisError as exc:
            logger.warning("cloud breaker: Redis unreachable (%s); keeping its state in this process", exc)
            self._unreachable_until = time.monotonic() + REDIS_RETRY_AFTER_SECONDS
            return self._fallback.update(change)

    def clear(self) -> None:
        self._fallback.clear()
        with contextlib.suppress(redis.RedisError):  # nothing shared to forget
            self._client.delete(self._key)

    def _apply(self, pipe, change: Callable[[BreakerState], T]) -> T:
        raw = pipe.get(self._key)
        state = BreakerState(**json.loads(raw)) if raw else BreakerState()
        before = asdict(state)
        result = change(state)
        pipe.multi()
        if asdict(state) != before:  # reading the status writes nothing
            pipe.set(self._key, json.dumps(asdict(state)), ex=STATE_TTL_SECONDS)
        return result


class CircuitBreaker:
    def __init__(
        self,
        *,
        failure_threshold: int,
        cooldown_seconds: float,
        store: BreakerStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._threshold = failure_threshold
        self._cooldown = cooldown_seconds
        self._store = store or MemoryStore()
        self._clock = clock  # wall time: the state is shared between processes

    def status(self) -> BreakerStatus:
        def read(state: BreakerState) -> BreakerStatus:
            return BreakerStatus(
                self._state(state),
                state.failures,
                self._retry_in(state),
                state.openings,
                state.latency_ms,
                state.permanent and state.opened_at is not None,
            )

        return self._store.update(read)

    def clear(self) -> None:
        self._store.clear()

    def allow(self) -> bool:
        """May a call go out now? In half-open state exactly one probe is let through."""

        def decide(state: BreakerState) -> bool:
            current = self._state(state)
            if current == "closed":
                return True
            probe_out = state.probe_until is not None and state.probe_until > self._clock()
            if current == "half_open" and not probe_out:
                state.probe_until = self._clock() + self._cooldown
                return True
            return False

        return self._store.update(decide)

    def record_success(self, *, latency_ms: float | None = None) -> None:
        def close(state: BreakerState) -> None:
            state.failures, state.opened_at, state.probe_until, state.permanent = 0, None, None, False
            if latency_ms is not None:
                old = state.latency_ms
                state.latency_ms = (
                    latency_ms if old == 0 else (1 - LATENCY_WEIGHT) * old + LATENCY_WEIGHT * latency_ms
                )

        self._store.update(close)

    def record_failure(self, *, permanent: bool = False) -> None:
        def count(state: BreakerState) -> None:
            probing = state.probe_until is not None
            state.failures += 1
            state.permanent = permanent
            if probing or permanent or state.failures >= self._threshold:
                if state.opened_at is None or probing:
                    state.openings += 1
                state.opened_at, state.probe_until = self._clock(), None

        self._store.update(count)

    def _state(self, state: BreakerState) -> State:
        if state.opened_at is None:
            return "closed"
        return "half_open" if self._clock() - state.opened_at >= self._cooldown else "open"

    def _retry_in(self, state: BreakerState) -> float:
        if state.opened_at is None:
            return 0.0
        return max(0.0, round(self._cooldown - (self._clock() - state.opened_at), 1))
