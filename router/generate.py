"""Generation on either side, as raw text pieces; the pipeline post-processes them.

Local: the small model when its answer sticks to the context, otherwise the best passages
quoted. Cloud: the condensed, de-identified messages through the cloud gate; a failure is
raised as a BackendError so the pipeline can fall back."""

import logging
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass

from router.admission import LocalModelBusy
from router.answers import (
    Quote,
    chitchat_answer,
    extractive_answer,
    grounded_sentences,
    is_chinese,
    no_context_answer,
)
from router.backends import ChatBackend
from router.cloud import CloudGate
from router.condense import CondensedContext
from router.config import RouterConfig
from router.cost import estimate_tokens
from router.errors import BackendError
from router.prompts import Message, cloud_messages, flatten

logger = logging.getLogger(__name__)

QUOTES_IN_LOCAL_ANSWER = 3
LOCAL_MODEL_MAX_TOKENS = 120
# The default small model writes English only and reads long prompts slowly on a CPU: past
# this much context, or for a Chinese question, its draft is never kept, so it is not asked.
LOCAL_MODEL_MAX_CONTEXT_CHARS = 1500


@dataclass(frozen=True)
class LocalOutcome:
    how: str  # "fixed reply", "model" or "quoted passages"
    model_error: str = ""  # why the local model gave no draft, when it failed


@dataclass(frozen=True)
class CloudUsage:
    prompt_tokens: int
    completion_tokens: int


def cloud_answer(
    *, gate: CloudGate, messages: list[Message], config: RouterConfig
) -> Generator[str, None, CloudUsage]:
    """The cloud's answer as it streams, within the request's latency budget. Raises
    BackendError (CloudPaused when the breaker stopped it), also midway, after some pieces
    were given."""
    completion = gate.stream(
        messages,
        max_tokens=config.answer_max_tokens,
        temperature=0.2,
        budget_seconds=config.latency_budget_ms / 1000,
    )
    raw: list[str] = []
    for piece in completion.chunks:
        raw.append(piece)
        yield piece
    return CloudUsage(
        prompt_tokens=completion.usage.prompt_tokens or estimate_tokens(flatten(messages)),
        completion_tokens=completion.usage.completion_tokens or estimate_tokens("".join(raw)),
    )


def local_answer(
    *, question: str, intent: str, condensed: CondensedContext, backend: ChatBackend, config: RouterConfig
) -> Generator[str, None, LocalOutcome]:
    """The local route's answer as it is written, and how it was made. Raises
    LocalModelBusy, before any text, when the model's queue refuses the request: under
    load the client is told when to retry rather than kept waiting."""
    if intent == "chitchat":
        yield chitchat_answer(question)
        return LocalOutcome("fixed reply")
    if not condensed.kept:
        yield no_context_answer(question)
        return LocalOutcome("fixed reply")
    context, error = condensed.render(), ""
    # A small model answers one part of a multi-part question at best: quotes answer each.
    one_part = len({k.part for k in condensed.kept}) == 1
    if one_part and len(context) <= LOCAL_MODEL_MAX_CONTEXT_CHARS and not is_chinese(question):
        drafted = False
        try:
            for sentence in _local_model_draft(backend, question, context, config):
                drafted = True
                yield sentence
        except LocalModelBusy:
            raise  # refused, not failed: quoting instead would hide the load from the client
        except (BackendError, OSError, ValueError) as exc:
            logger.warning("local model gave no draft, answering with quotes: %s", exc)
            error = str(exc)
        if drafted:
            return LocalOutcome("model", error)
    yield extractive_answer(question, _best_quotes(condensed))
    return LocalOutcome("quoted passages", error)


def _local_model_draft(
    backend: ChatBackend, question: str, context: str, config: RouterConfig
) -> Iterator[str]:
    """The small model's answer, streamed as far as it stays grounded in the context."""
    max_tokens = min(LOCAL_MODEL_MAX_TOKENS, config.answer_max_tokens)
    completion = backend.stream(cloud_messages(question, context, ()), max_tokens=max_tokens, temperature=0.1)
    with closing(completion.chunks):  # stopping early frees the model for the next request
        yield from grounded_sentences(completion.chunks, context)


def _best_quotes(condensed: CondensedContext) -> list[Quote]:
    """One quote per turn of the first turns, best first, at least one turn per part of the
    question; a turn's lines (an item and its lead-in, a lead-in and its items) as one quote."""
    parts = len({k.part for k in condensed.kept})
    turns = sorted({k.rank for k in condensed.kept})[: max(QUOTES_IN_LOCAL_ANSWER, parts)]
    numbers = {chunk_id: n for n, chunk_id in condensed.citation_key().items()}
    quotes = []
    for turn in turns:
        kept = [k for k in condensed.kept if k.rank == turn]  # in reading order
        quotes.append(Quote(numbers[kept[0].chunk_id], " ".join(k.text for k in kept)))
    return quotes
