"""What a request streams to whoever asked: the route first, then text, then the trace.

Consumers (the chat page, the OpenAI-compatible API, `ask`) match on these types; nothing
branches on strings."""

from dataclasses import dataclass, field
from typing import Any

from router.trace import Trace


@dataclass(frozen=True)
class Meta:
    """The route and its reasons, and the citations, before any answer text."""

    request_id: str
    route: str
    reasons: list[str]
    intent: str
    citations: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class Notice:
    """Something the reader should know about the answer (e.g. a fallback), shown apart from it."""

    text: str


@dataclass(frozen=True)
class Failed:
    message: str


@dataclass(frozen=True)
class Done:
    trace: Trace


Event = Meta | Delta | Notice | Failed | Done
