"""The trace that travels with one request: what each stage did, where, and how long.

It is the single source for the `ask --json` output, the chat page's route card and the
audit record, so the three can never disagree.
"""

import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from router.reasons import Reason, ReasonCode

Where = Literal["local", "cloud"]
Route = Literal["local", "cloud", "fallback"]
Channel = Literal["chat", "api", "cli"]


@dataclass
class StageRecord:
    name: str
    where: Where
    ms: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class RetrievedChunk:
    chunk_id: str
    document_id: int
    title: str
    sensitivity: str
    score: float
    page: int | None = None
    heading: str = ""


@dataclass
class FoundInstruction:
    """A sentence of a retrieved chunk that gives the answering model a command: withheld
    from what condensing reads, or fenced as quoted data when the question asks for it."""

    chunk_id: str
    action: str  # "withheld" | "fenced"
    cues: list[str]  # which of router.injection's cues matched
    text: str  # the sentence; kept like the local context, never sent


@dataclass
class ComplianceAction:
    kind: str  # e.g. "pii_masked", "secret_removed", "blocked_term", "glossary", "placeholder_restored"
    detail: str


@dataclass
class Tokens:
    """Counted the same way on both sides; the cloud's own figures replace estimates when it reports them."""

    plain_rag_in: int = 0  # what plain RAG would have sent (the retrieved chunks, whole)
    condensed_context: int = 0
    cloud_in: int = 0
    cloud_out: int = 0


@dataclass
class Costs:
    cloud: float = 0.0
    plain_rag: float = 0.0  # what the same answer would have cost with plain RAG


@dataclass
class Trace:
    question: str
    username: str
    channel: Channel
    user_id: int | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: float = field(default_factory=time.time)
    intent: str | None = None
    intent_confidence: float | None = None
    retrieved: list[RetrievedChunk] = field(default_factory=list)
    cited_document_ids: list[int] = field(default_factory=list)
    route: Route | None = None
    reasons: list[Reason] = field(default_factory=list)
    local_context: str = ""  # the condensed context before de-identification, never sent
    instructions: list[FoundInstruction] = field(default_factory=list)  # in the retrieved chunks
    cloud_payload: list[dict[str, str]] | None = None  # exactly the messages sent to the cloud
    models: dict[str, str] = field(default_factory=dict)
    tokens: Tokens = field(default_factory=Tokens)
    cost_usd: Costs = field(default_factory=Costs)
    compliance_actions: list[ComplianceAction] = field(default_factory=list)
    answer: str = ""
    error: str | None = None
    stages: list[StageRecord] = field(default_factory=list)

    @contextmanager
    def stage(self, name: str, where: Where = "local"):
        """Time a stage; the yielded dict collects what the stage wants to record."""
        detail: dict[str, Any] = {}
        start = time.perf_counter()
        try:
            yield detail
        finally:
            ms = (time.perf_counter() - start) * 1000
            self.stages.append(StageRecord(name=name, where=where, ms=round(ms, 2), detail=detail))

    @property
    def latency_ms(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for record in self.stages:
            totals[record.name] = round(totals.get(record.name, 0.0) + record.ms, 2)
        return totals

    @property
    def resolved_question(self) -> str | None:
        """The standalone form of a follow-up, as the resolve stage recorded it; None when
        the question stood alone."""
        for record in self.stages:
            if record.name == "resolve":
                return record.detail.get("question")
        return None

    @property
    def reason_texts(self) -> list[str]:
        return [reason.text for reason in self.reasons]

    @property
    def reason_codes(self) -> list[ReasonCode]:
        return [reason.code for reason in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        """Reasons as the text people read (as in every record so far) and, beside it, their
        codes; the resolved question of a follow-up beside the question as asked."""
        data = asdict(self)
        data["reasons"] = self.reason_texts
        data["reason_codes"] = [str(code) for code in self.reason_codes]
        data["latency_ms"] = self.latency_ms
        data["resolved_question"] = self.resolved_question
        return data
