"""Chat backends: one small interface, a local llama.cpp model and any OpenAI-compatible cloud.

Both stream. Heavy libraries are imported inside the factories, never at module import.
"""

import atexit
import functools
import threading
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from router.admission import ModelQueue, QueueLimits
from router.config import CloudConfig, LocalLLMConfig
from router.errors import BackendError, BackendTimeout, BackendUnavailable, StreamCutOff
from router.prompts import Message

CLOUD_CONNECT_SECONDS = 5.0  # a reachable endpoint connects in well under this
EXIT_WAIT_SECONDS = 60.0  # at exit, the longest a generation still running is waited for


@dataclass
class Usage:
    """Tokens as the backend counted them (filled in once the stream ends)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class Completion:
    """A streaming answer: iterate `chunks`; `usage` is complete after the iteration."""

    chunks: Generator[str, None, None]
    usage: Usage = field(default_factory=Usage)
    model: str = ""


class ChatBackend(Protocol):
    name: str

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float) -> Completion: ...


class LocalBackend:
    """llama-cpp-python on a GGUF file, loaded once per process.

    A llama.cpp context is not thread-safe, so generations take turns in one queue; the web
    server's threads wait there, within its limits, instead of corrupting each other's
    state, and beyond them are refused (LocalModelBusy) instead of waiting without bound.
    """

    def __init__(self, model_path: str, *, n_ctx: int, n_threads: int, queue: QueueLimits) -> None:
        from llama_cpp import Llama

        self.name = model_path.rsplit("/", 1)[-1].removesuffix(".gguf")
        self._llama = Llama(model_path=model_path, n_ctx=n_ctx, n_threads=n_threads, verbose=False)
        self._queue = ModelQueue(queue)
        self._in_use = threading.Lock()  # held while llama.cpp computes, also for a draft given up on
        atexit.register(self._close_when_idle)

    def _close_when_idle(self) -> None:
        """Freed before the interpreter tears down llama.cpp's bindings, but never under a
        generation still running (a timed-out draft finishes its prompt in the background)."""
        if self._in_use.acquire(timeout=EXIT_WAIT_SECONDS):
            self._llama.close()

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode(), add_bos=False, special=False))

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float) -> Completion:
        usage = Usage()

        def generate() -> Generator[str, None, None]:
            with self._queue.turn(), self._in_use:
                prompt_tokens = sum(self.count_tokens(m["content"]) + 4 for m in messages)
                produced = 0
                try:
                    for part in self._llama.create_chat_completion(
                        messages=list(messages), max_tokens=max_tokens, temperature=temperature, stream=True
                    ):
                        text = part["choices"][0]["delta"].get("content") or ""
                        if text:
                            produced += 1
                            yield text
                except ValueError as exc:  # llama.cpp raises ValueError when the prompt exceeds n_ctx
                    raise BackendUnavailable(
                        f"local model refused the prompt: {exc}", permanent=True
                    ) from exc
                usage.prompt_tokens, usage.completion_tokens = prompt_tokens, produced

        return Completion(chunks=generate(), usage=usage, model=self.name)


class CloudBackend:
    """The `openai` SDK against any OpenAI-compatible endpoint; vendor errors become ours.

    One attempt per call: the SDK's retries are off, because they would hide a failure from
    the breaker until the last one ends (router.cloud retries, within the request's time).
    `silence_seconds` is the longest the cloud may stay silent, before its first byte or
    between two, so a hung stream is cut whenever it hangs."""

    def __init__(self, *, api_key: str, base_url: str | None, model: str, silence_seconds: float):
        import openai

        self.name = model
        self._openai = openai
        timeout = openai.Timeout(silence_seconds, connect=min(silence_seconds, CLOUD_CONNECT_SECONDS))
        self._client = openai.OpenAI(
            api_key=api_key, base_url=base_url or None, timeout=timeout, max_retries=0
        )

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float) -> Completion:
        usage = Usage()
        try:
            response = self._client.chat.completions.create(
                model=self.name,
                messages=list(messages),
                max_tokens=max_tokens,
                temperature=temperature,
                stream=True,
                stream_options={"include_usage": True},
            )
        except Exception as exc:
            raise self._domain_error(exc) from exc

        def generate() -> Generator[str, None, None]:
            produced, finished = 0, False
            try:
                for part in response:
                    if part.usage:
                        usage.prompt_tokens = part.usage.prompt_tokens
                        usage.completion_tokens = part.usage.completion_tokens
                    if part.choices and part.choices[0].finish_reason:
                        finished = True
                    if part.choices and part.choices[0].delta.content:
                        produced += 1
                        yield part.choices[0].delta.content
            except Exception as exc:
                raise self._domain_error(exc) from exc
            finally:
                response.close()
            if not finished:  # the SDK ends quietly on a closed stream, [DONE] or not
                raise StreamCutOff(
                    f"the cloud's stream ended after {produced} pieces without a finish reason"
                )
            usage.completion_tokens = usage.completion_tokens or produced

        return Completion(chunks=generate(), usage=usage, model=self.name)

    def probe(self, *, timeout: float) -> list[str]:
        try:
            return [m.id for m in self._client.with_options(timeout=timeout, max_retries=0).models.list()]
        except Exception as exc:
            raise self._domain_error(exc) from exc

    def _domain_error(self, exc: Exception) -> BackendError:
        errors = self._openai
        if isinstance(exc, BackendError):
            return exc
        if isinstance(exc, errors.APITimeoutError):
            return BackendTimeout(f"cloud timed out: {exc}")
        if isinstance(exc, errors.AuthenticationError | errors.PermissionDeniedError | errors.NotFoundError):
            return BackendUnavailable(f"cloud refused the request: {exc}", permanent=True)
        if isinstance(exc, errors.BadRequestError):
            return BackendUnavailable(f"cloud rejected the request: {exc}", permanent=True)
        return BackendUnavailable(f"cloud unavailable: {exc.__class__.__name__}: {exc}")


class LazyLocalBackend:
    """The local model, loaded on first use and then kept for the process (it is large).

    A model that cannot be loaded (no GGUF file, a corrupt one) becomes a permanent
    BackendUnavailable on every call, so callers log it and answer without it."""

    def __init__(self, config: LocalLLMConfig) -> None:
        self._config = config
        path = config.model_path
        self.name = path.name.removesuffix(".gguf") if path else "no local model"

    def load(self) -> LocalBackend:
        if self._config.model_path is None:
            raise BackendUnavailable("no local GGUF model: set LOCAL_LLM_PATH", permanent=True)
        try:
            with _LOADING:
                return _loaded_local_backend(self._config)
        except (OSError, ValueError) as exc:  # llama.cpp raises ValueError for a file it cannot load
            raise BackendUnavailable(f"the local model could not be loaded: {exc}", permanent=True) from exc

    def stream(self, messages: Sequence[Message], *, max_tokens: int, temperature: float) -> Completion:
        return self.load().stream(messages, max_tokens=max_tokens, temperature=temperature)


# Two first requests at once must not load the model twice: two copies would mean two
# queues, and twice the requests the bound allows.
_LOADING = threading.Lock()


@functools.lru_cache(maxsize=2)
def _loaded_local_backend(config: LocalLLMConfig) -> LocalBackend:
    return LocalBackend(
        str(config.model_path), n_ctx=config.context_tokens, n_threads=config.threads, queue=config.queue
    )


def local_backend_for(config: LocalLLMConfig) -> ChatBackend:
    """The local model in this process, or, when LOCAL_LLM_BASE_URL names one, a model server
    on company machines, spoken to as any OpenAI-compatible endpoint (it needs no key). It
    waits for the server's first words as long as a request waits for the model's turn."""
    if not config.base_url:
        return LazyLocalBackend(config)
    model = config.model_path.stem if config.model_path else "local"
    return CloudBackend(
        api_key="local", base_url=config.base_url, model=model, silence_seconds=config.queue.wait_seconds
    )


def cloud_backend_for(config: CloudConfig) -> CloudBackend | None:
    """None in offline mode (no key)."""
    if not config.api_key:
        return None
    return CloudBackend(
        api_key=config.api_key,
        base_url=config.base_url,
        model=config.model,
        silence_seconds=config.timeout_seconds,
    )
