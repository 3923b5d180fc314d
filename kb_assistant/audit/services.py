"""Writing the audit log: one record per request (failures included), plus security events."""

import json
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from kb_assistant.audit.chain import GENESIS, content_hash, record_content
from kb_assistant.audit.models import AuditDocument, AuditRecord, ChainHead, Feedback
from router.trace import Trace

logger = logging.getLogger(__name__)

EVENT_KINDS = {
    "document_upload",
    "document_reingest",
    "document_delete",
    "permission_change",
    "login",
    "login_failed",
}


def _append(*, documents: list[tuple[int, str, bool]] = (), **fields: Any) -> AuditRecord:
    fields["detail"] = json.loads(
        json.dumps(fields.get("detail", {}), default=str)
    )  # as stored, for the hash
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"seq": 0, "hash": GENESIS}
        )
        record = AuditRecord(seq=head.seq + 1, created_at=timezone.now(), prev_hash=head.hash, **fields)
        record.hash = content_hash(prev_hash=record.prev_hash, content=record_content(record))
        record.save()
        ChainHead.objects.filter(pk=1).update(seq=record.seq, hash=record.hash)
        AuditDocument.objects.bulk_create(
            AuditDocument(record=record, document_id=doc_id, title=title[:300], cited=cited)
            for doc_id, title, cited in documents
        )
    return record


def audit_request(*, trace: Trace) -> AuditRecord:
    data = trace.to_dict()
    cited = set(trace.cited_document_ids)
    documents = {r.document_id: r.title for r in trace.retrieved}
    return _append(
        kind="request",
        channel=trace.channel,
        user_id=trace.user_id,
        username=trace.username,
        request_id=trace.request_id,
        question=trace.question,
        intent=trace.intent or "",
        route=trace.route or "",
        has_cloud_payload=trace.cloud_payload is not None,
        compliance_kinds=",".join(sorted({a.kind for a in trace.compliance_actions})),
        cloud_tokens=trace.tokens.get("cloud_in", 0) + trace.tokens.get("cloud_out", 0),
        plain_rag_tokens=trace.tokens.get("plain_rag_in", 0),
        cost_usd=trace.cost_usd.get("cloud", 0.0),
        plain_rag_cost_usd=trace.cost_usd.get("plain_rag", 0.0),
        failed=trace.error is not None,
        detail=data,
        documents=[(doc_id, title, doc_id in cited) for doc_id, title in documents.items()],
    )


def audit_event(*, kind: str, user, detail: dict, channel: str = "web") -> AuditRecord:
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    username = detail.get("username", "") if user is None else user.get_username()
    document = detail.get("document_id")
    return _append(
        kind=kind,
        channel=channel,
        user=user if user is not None and user.pk else None,
        username=username,
        detail=detail,
        documents=[(document, detail.get("title", ""), False)] if document else [],
    )


def feedback_record(*, request_id: str, user, rating: int, comment: str = "") -> Feedback:
    if rating not in (-1, 1):
        raise ValueError("rating is +1 or -1")
    return Feedback.objects.create(
        request_id=request_id, user=user, rating=rating, comment=comment.strip()[:2000]
    )
