"""Generation on either side, as raw text pieces; the pipeline post-processes them.

Local: the small model when its answer sticks to the context, otherwise the best passages
quoted. Cloud: the condensed, de-identified messages through the cloud gate; a failure is
raised as a BackendError so the pipeline can fall back."""

import logging
import time
from collections.abc import Generator
from dataclasses import dataclass

from router.admission import LocalModelBusy
from router.answers import (
    Quote,
    chitchat_answer,
    draft_lead,
    extractive_answer,
    grounded_sentences,
    is_chinese,
    no_context_answer,
    word_pieces,
)
from router.backends import ChatBackend
from router.cloud import CloudGate
from router.condense import CondensedContext
from router.config import RouterConfig
from router.cost import estimate_tokens
from router.errors import BackendError
from router.prompts import Message, flatten, local_draft_messages
from router.timebox import TimeUp, until

logger = logging.getLogger(__name__)

QUOTES_IN_LOCAL_ANSWER = 3
LOCAL_MODEL_MAX_TOKENS = 120
# A small model reads long prompts slowly on a CPU: past this much context its draft would
# come too late, so it is not asked.
LOCAL_MODEL_MAX_CONTEXT_CHARS = 1500


@dataclass(frozen=True)
class LocalOutcome:
    how: str  # "fixed reply", "model" or "quoted passages"
    model_error: str = ""  # why the local model gave no draft, when it failed
    busy: str = ""  # why the local model had no time for a draft: serving other answers


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
    *,
    question: str,
    intent: str,
    condensed: CondensedContext,
    backend: ChatBackend,
    config: RouterConfig,
    drafts_chinese: bool,
) -> Generator[str, None, LocalOutcome]:
    """The local route's answer as it is written, word by word, and how it was made.

    The best cited passages come first, at once: the reader has something true on screen
    before any model runs. A model draft follows when one is worth making, within
    `config.draft_seconds`, each sentence checked against the passages before it streams.
    When the model's queue is full there is no draft: under load a reader gets the passages
    at once rather than a refusal or a wait."""
    if intent == "chitchat":
        yield from word_pieces(chitchat_answer(question))
        return LocalOutcome("fixed reply")
    quotes = _best_quotes(condensed)
    if not quotes:
        yield from word_pieces(no_context_answer(question))
        return LocalOutcome("fixed reply")
    yield from word_pieces(extractive_answer(question, quotes))
    error, busy = "", ""
    if _draft_worth_making(question, condensed, drafts_chinese):
        try:
            drafted = yield from _time_boxed_draft(backend, question, condensed.render(), config)
        except LocalModelBusy as exc:
            drafted, busy = False, str(exc)
        except (BackendError, OSError, ValueError) as exc:
            logger.warning("local model gave no draft, answering with quotes: %s", exc)
            drafted, error = False, str(exc)
        if drafted:
            return LocalOutcome("model", error)
    return LocalOutcome("quoted passages", error, busy)


def _draft_worth_making(question: str, condensed: CondensedContext, drafts_chinese: bool) -> bool:
    """A small model answers one part of a multi-part question at best (quotes answer each),
    reads long contexts slowly, and is not asked in a language it does not write."""
    one_part = len({k.part for k in condensed.kept}) == 1
    short = len(condensed.render()) <= LOCAL_MODEL_MAX_CONTEXT_CHARS
    return one_part and short and (drafts_chinese or not is_chinese(question))


def _time_boxed_draft(
    backend: ChatBackend, question: str, context: str, config: RouterConfig
) -> Generator[str, None, bool]:
    """The model's answer below the quotes, as far as it stays supported by the context and
    within its time; returns whether any of it was shown."""
    max_tokens = min(LOCAL_MODEL_MAX_TOKENS, config.answer_max_tokens)
    deadline = time.monotonic() + config.draft_seconds
    completion = backend.stream(
        local_draft_messages(question, context), max_tokens=max_tokens, temperature=0.1
    )
    drafted = False
    # Stopping early (time, a stray sentence, the reader's Stop) frees the model for the next request.
    timed = until(deadline, completion.chunks)
    try:
        for sentence in grounded_sentences(timed, context, question):
            yield from word_pieces(("" if drafted else draft_lead(question)) + sentence)
            drafted = True
    except TimeUp:  # what was not finished by then is dropped
        logger.info("the local draft ran out of its %.1f s", config.draft_seconds)
    finally:
        timed.close()
    return drafted


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
