"""The few domain errors that vendor errors become at the boundary; retries, the circuit
breaker and fallbacks look only at these."""


class BackendError(Exception):
    """A model backend failed. `permanent` means retrying the same call will not help."""

    permanent = False


class BackendTimeout(BackendError):
    pass


class BackendUnavailable(BackendError):
    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class StreamCutOff(BackendError):
    """The answer stream ended without its end marker (a finish reason, `[DONE]`): what came
    may be half an answer, so it must not pass for a whole one."""


class OverBudget(Exception):
    """The user's daily cloud budget is spent."""
