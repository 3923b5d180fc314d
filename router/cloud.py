"""The cloud as the pipeline sees it: one backend behind the shared circuit breaker, which
also keeps the shared figure of how long the cloud takes to answer.

Every call goes through here, so success, failure and latency are recorded once, in one
place, and every web worker routes on the same state."""

import time
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass

from router.backends import ChatBackend, CloudBackend, Completion, Message
from router.breaker import CircuitBreaker
from router.errors import BackendError
from router.policy import CloudState


class CloudPaused(BackendError):
    """The breaker stopped the call before it went out (another request's failure)."""


@dataclass(frozen=True)
class CloudStatus:
    state: CloudState
    retry_in_seconds: float
    expected_ms: float


class CloudGate:
    def __init__(
        self,
        backend: ChatBackend | None,
        breaker: CircuitBreaker,
        *,
        timer: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.backend = backend
        self.breaker = breaker
        self._timer = timer

    @property
    def configured(self) -> bool:
        return self.backend is not None

    @property
    def name(self) -> str:
        return self.backend.name if self.backend else ""

    def status(self) -> CloudStatus:
        if self.backend is None:
            return CloudStatus("offline", 0.0, 0.0)
        breaker = self.breaker.status()
        state: CloudState = "refused" if breaker.permanent and breaker.state == "open" else breaker.state
        return CloudStatus(state, breaker.retry_in_seconds, breaker.latency_ms)

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float) -> Completion:
        """Raises CloudPaused when the breaker is open, BackendError when the call fails; a
        failure while the answer streams is raised by the iteration of `chunks`."""
        if self.backend is None or not self.breaker.allow():
            raise CloudPaused("the circuit breaker is open")
        started = self._timer()
        try:
            completion = self.backend.stream(messages, max_tokens=max_tokens, temperature=temperature)
        except BackendError as exc:
            self.breaker.record_failure(permanent=exc.permanent)
            raise
        return Completion(self._recorded(completion.chunks, started), completion.usage, completion.model)

    def probe(self, *, timeout: float) -> list[str]:
        if not isinstance(self.backend, CloudBackend):
            return []
        return self.backend.probe(timeout=timeout)

    def reset(self) -> None:
        """Forget the shared breaker state (tests, a changed endpoint)."""
        self.breaker.clear()

    def _recorded(self, chunks: Iterator[str], started: float) -> Generator[str, None, None]:
        try:
            yield from chunks
        except BackendError as exc:
            self.breaker.record_failure(permanent=exc.permanent)
            raise
        self.breaker.record_success(latency_ms=(self._timer() - started) * 1000)
