"""Traces built by hand, the audit log's input contract, and a few ways to write them."""

from collections.abc import Callable
from datetime import datetime

import pytest
from django.utils import timezone

from kb_assistant.audit.models import AuditRecord
from kb_assistant.audit.services import audit_request
from router.reasons import Reason, ReasonCode
from router.trace import ComplianceAction, Costs, RetrievedChunk, StageRecord, Tokens, Trace

LOCAL_CONTEXT = (
    "[1] Trips abroad need approval from the department director and, above 5,000 EUR, from the CFO. "
    "Ask Maria Gonzalez (maria.gonzalez@northwind.example) if unsure."
)
CLOUD_PAYLOAD = [
    {"role": "system", "content": "Answer from the context only. Cite passages as [n]."},
    {
        "role": "user",
        "content": "Context:\n[1] Trips abroad need approval from the department director and, above "
        "5,000 EUR, from the CFO. Ask <PERSON_1> (<EMAIL_1>) if unsure.\n\nQuestion: Why do the thresholds differ?",
    },
]


def cloud_trace(user, **changes) -> Trace:
    """A request the policy sent to the cloud, with everything the issue asks to record."""
    trace = Trace(
        question="Why do the travel approval thresholds differ?", username=user.username, channel="chat"
    )
    trace.user_id = user.pk
    trace.intent, trace.intent_confidence = "finance", 0.91
    trace.retrieved = [
        RetrievedChunk("7:0", 7, "Travel and expense policy", "internal", 0.71, page=2, heading="Approval"),
        RetrievedChunk("7:1", 7, "Travel and expense policy", "internal", 0.64),
        RetrievedChunk("9:3", 9, "Leave policy", "internal", 0.41),
    ]
    trace.cited_document_ids = [7]
    trace.route = "cloud"
    trace.reasons = [
        Reason(ReasonCode.NEEDS_REASONING, "needs reasoning (complexity 0.62 ≥ 0.40), intent finance"),
        Reason(ReasonCode.TOKENS_SAVED, "sending 61 tokens instead of 540"),
    ]
    trace.local_context = LOCAL_CONTEXT
    trace.cloud_payload = CLOUD_PAYLOAD
    trace.models = {"cloud": "cloud-test-model"}
    trace.tokens = Tokens(cloud_in=61, cloud_out=40, plain_rag_in=540, condensed_context=45)
    trace.cost_usd = Costs(cloud=0.0000332, plain_rag=0.000105)
    trace.compliance_actions = [
        ComplianceAction("placeholder_restored", "placeholders replaced by real values")
    ]
    trace.answer = "Trips abroad cost more, so a director and above 5,000 EUR the CFO approve them [1]."
    trace.stages = [
        StageRecord("intent", "local", 3.1, {"label": "finance"}),
        StageRecord("retrieve", "local", 20.5, {"chunks": 3}),
        StageRecord("condense", "local", 12.0),
        StageRecord("protect", "local", 4.2),
        StageRecord("route", "local", 0.3),
        StageRecord("generate", "cloud", 820.0),
        StageRecord("postprocess", "local", 1.5),
    ]
    for name, value in changes.items():
        setattr(trace, name, value)
    return trace


def local_trace(user, **changes) -> Trace:
    trace = cloud_trace(user)
    trace.question = "How many days of annual leave do I get?"
    trace.intent, trace.route = "hr_admin", "local"
    trace.reasons = [
        Reason(
            ReasonCode.DIRECT_LOOKUP,
            "a direct lookup (complexity 0.10 < 0.40): the cited passages answer it locally",
        )
    ]
    trace.cloud_payload = None
    trace.models = {"local": "SmolLM2-135M-Instruct"}
    trace.tokens = Tokens(plain_rag_in=300)
    trace.cost_usd = Costs(cloud=0.0, plain_rag=0.00006)
    trace.compliance_actions = []
    trace.retrieved = [RetrievedChunk("9:3", 9, "Leave policy", "internal", 0.8)]
    trace.cited_document_ids = [9]
    trace.stages = [
        s if s.name != "generate" else StageRecord("generate", "local", 400.0) for s in trace.stages
    ]
    for name, value in changes.items():
        setattr(trace, name, value)
    return trace


@pytest.fixture
def write_at(monkeypatch) -> Callable[[datetime, Trace], AuditRecord]:
    """Write a record as if at another time: the clock is the one thing faked here."""

    def write(when: datetime, trace: Trace) -> AuditRecord:
        with monkeypatch.context() as patch:
            patch.setattr(timezone, "now", lambda: when)
            return audit_request(trace=trace)

    return write
