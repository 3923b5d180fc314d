"""The cloud as the pipeline sees it: one backend behind the shared circuit breaker, which
also keeps the shared figure of how long the cloud takes to answer.

Every call goes through here, so success, failure and latency are recorded once, in one
place, and every web worker routes on the same state. This is also the one retry layer
(the SDK's own retries are off): only here are the breaker and the request's time known,
so a failure counts the moment it happens and no retry outlives the latency budget."""

import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

from router.backends import ChatBackend, CloudBackend, Completion, Message, Usage
from router.breaker import CircuitBreaker
from router.errors import BackendError, BackendTimeout
from router.policy import CloudState

RETRY_PAUSE_SECONDS = 0.5  # lets a burst of 429s pass; small against any latency budget


class CloudPaused(BackendError):
    """The breaker stopped the call before it went out (another request's failure)."""


@dataclass(frozen=True)
class CloudStatus:
    state: CloudState
    retry_in_seconds: float
    expected_ms: float


@dataclass
class _Call:
    """One request's attempts: what to send, until when, and whether its failure was counted."""

    messages: Sequence[Message]
    max_tokens: int
    temperature: float
    deadline: float
    seconds: float
    counted: bool = False


class CloudGate:
    def __init__(
        self,
        backend: ChatBackend | None,
        breaker: CircuitBreaker,
        *,
        retries: int = 0,
        attempt_seconds: float = 30.0,
        timer: Callable[[], float] = time.perf_counter,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`attempt_seconds`: the longest one attempt waits in silence (the backend's timeout)."""
        self.backend = backend
        self.breaker = breaker
        self._retries = retries
        self._attempt_seconds = attempt_seconds
        self._timer = timer
        self._sleep = sleep

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

    def stream(
        self, messages: Sequence[Message], *, max_tokens: int, temperature: float, budget_seconds: float
    ) -> Completion:
        """The answer, within `budget_seconds` of the whole request. It must end one attempt's
        silence before the budget does, so that an answer cut at its next piece still ends
        within it. Raises CloudPaused when the breaker is open; every other BackendError is
        raised by the iteration of `chunks`, before or after some pieces were given."""
        if self.backend is None or not self.breaker.allow():
            raise CloudPaused("the circuit breaker is open")
        seconds = max(budget_seconds - self._attempt_seconds, self._attempt_seconds)
        call = _Call(messages, max_tokens, temperature, self._timer() + seconds, seconds)
        usage = Usage()
        return Completion(self._answer(self.backend, call, usage), usage, self.backend.name)

    def probe(self, *, timeout: float) -> list[str]:
        if not isinstance(self.backend, CloudBackend):
            return []
        return self.backend.probe(timeout=timeout)

    def reset(self) -> None:
        """Forget the shared breaker state (tests, a changed endpoint)."""
        self.breaker.clear()

    def _answer(self, backend: ChatBackend, call: _Call, usage: Usage) -> Generator[str, None, None]:
        completion, first, started = self._first_piece(backend, call)
        try:
            if first is not None:
                yield first
            for piece in completion.chunks:
                if self._timer() > call.deadline:
                    raise BackendTimeout(f"the cloud's answer ran past its {call.seconds:.0f}s")
                yield piece
        except BackendError as exc:
            self._count(call, exc)
            raise
        finally:
            completion.chunks.close()  # a stopped or failed answer frees its connection now
        usage.prompt_tokens, usage.completion_tokens = (
            completion.usage.prompt_tokens,
            completion.usage.completion_tokens,
        )
        self.breaker.record_success(latency_ms=(self._timer() - started) * 1000)

    def _first_piece(self, backend: ChatBackend, call: _Call) -> tuple[Completion, str | None, float]:
        """Attempt until one gives its first piece (None: it ended cleanly with none): until
        then nothing was shown, so a retry is invisible to the reader."""
        attempt = 0
        while True:
            started = self._timer()
            completion: Completion | None = None
            try:
                completion = backend.stream(
                    call.messages, max_tokens=call.max_tokens, temperature=call.temperature
                )
                return completion, next(completion.chunks, None), started
            except BackendError as exc:
                if completion is not None:
                    completion.chunks.close()
                self._count(call, exc)
                if not self._may_retry(call, exc, attempt):
                    raise
                self._sleep(RETRY_PAUSE_SECONDS)
                if not self.breaker.allow():  # opened meanwhile, by this failure or another's
                    raise
            attempt += 1

    def _may_retry(self, call: _Call, exc: BackendError, attempt: int) -> bool:
        """Not for a permanent failure, not past the retries, and only when a whole attempt
        still fits before the deadline."""
        fits = self._timer() + RETRY_PAUSE_SECONDS + self._attempt_seconds <= call.deadline
        return not exc.permanent and attempt < self._retries and fits

    def _count(self, call: _Call, exc: BackendError) -> None:
        """A request's failure counts once, when it happens, so that concurrent requests
        open the breaker while they are still waiting; a permanent one always counts."""
        if exc.permanent or not call.counted:
            call.counted = True
            self.breaker.record_failure(permanent=exc.permanent)
