"""Writing the audit log: one record per request (failures included), security and document
events, feedback, and the one sanctioned removal path, retention expiry."""

import json
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from kb_assistant.audit.chain import (
    GENESIS,
    canonical_json,
    chain_walk,
    checkpoint_signature,
    content_hash,
    head_signature,
    record_content,
)
from kb_assistant.audit.models import AuditCheckpoint, AuditDocument, AuditRecord, ChainHead, Feedback
from router.reasons import ReasonCode
from router.trace import Trace

EVENT_KINDS = (
    "document_upload",
    "document_reingest",
    "document_delete",
    "permission_change",
    "login",
    "login_failed",
)


class ChainBroken(Exception):
    """Expiry refuses to sign a checkpoint over records that do not verify: that would
    launder the tampering it should reveal."""


@dataclass(frozen=True)
class DocumentRef:
    document_id: int
    title: str = ""
    sensitivity: str = ""
    cited: bool = False


def _as_stored(value: Any) -> Any:
    """What the JSON column will give back, so the hash is computed over the stored form."""
    return json.loads(canonical_json(value))


def _chain_head_locked() -> ChainHead:
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    return head


def _append(*, documents: Iterable[DocumentRef] = (), **fields: Any) -> AuditRecord:
    fields["detail"] = _as_stored(fields.get("detail", {}))
    fields["latency_ms"] = _as_stored(fields.get("latency_ms", {}))
    with transaction.atomic():
        head = _chain_head_locked()
        record = AuditRecord(seq=head.seq + 1, created_at=timezone.now(), prev_hash=head.hash, **fields)
        record.hash = content_hash(prev_hash=record.prev_hash, content=record_content(record))
        record.save()
        head.seq, head.hash = record.seq, record.hash
        head.signature = head_signature(seq=head.seq, last_hash=head.hash)
        head.save(update_fields=["seq", "hash", "signature"])
        AuditDocument.objects.bulk_create(
            AuditDocument(
                record=record,
                document_id=ref.document_id,
                title=ref.title[:300],
                sensitivity=ref.sensitivity,
                cited=ref.cited,
            )
            for ref in documents
        )
    return record


def _retrieved_documents(trace: Trace) -> list[DocumentRef]:
    cited = set(trace.cited_document_ids)
    first_chunk = {}
    for chunk in trace.retrieved:
        first_chunk.setdefault(chunk.document_id, chunk)
    return [
        DocumentRef(doc_id, chunk.title, chunk.sensitivity, doc_id in cited)
        for doc_id, chunk in first_chunk.items()
    ]


def audit_request(*, trace: Trace) -> AuditRecord:
    """One record per request, whatever happened: the pipeline calls this in a `finally`,
    with `trace.error` set when it failed, so a partial trace is recorded as far as it got."""
    latency = trace.latency_ms
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
        cloud_in_tokens=trace.tokens.cloud_in,
        cloud_out_tokens=trace.tokens.cloud_out,
        plain_rag_tokens=trace.tokens.plain_rag_in,
        cost_usd=trace.cost_usd.cloud,
        plain_rag_cost_usd=trace.cost_usd.plain_rag,
        total_ms=round(sum(latency.values()), 2),
        latency_ms=latency,
        failed=trace.error is not None,
        breaker_open=ReasonCode.BREAKER_OPEN in trace.reason_codes,
        offline=ReasonCode.OFFLINE in trace.reason_codes,
        detail=trace.to_dict(),
        documents=_retrieved_documents(trace),
    )


def audit_event(*, kind: str, user, detail: dict, channel: str = "web") -> AuditRecord:
    """Document and security events. `user` may be None (a failed login, a CLI ingest);
    the username then comes from `detail["username"]` when there is one."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    known = user is not None and user.pk is not None
    document_id = detail.get("document_id")
    return _append(
        kind=kind,
        channel=channel,
        user_id=user.pk if known else None,
        username=user.get_username() if known else str(detail.get("username", "")),
        detail=detail,
        documents=[DocumentRef(int(document_id), str(detail.get("title", "")))] if document_id else [],
    )


def feedback_record(*, request_id: str, user, rating: int, comment: str = "") -> Feedback:
    """A separate row tied by request id: the record it rates stays exactly as written."""
    if rating not in (-1, 1):
        raise ValueError("rating is +1 or -1")
    return Feedback.objects.create(
        request_id=request_id,
        user_id=user.pk,
        username=user.get_username(),
        rating=rating,
        comment=comment.strip()[:2000],
    )


def audit_records_expire(*, older_than: datetime) -> AuditCheckpoint | None:
    """Remove every record written before `older_than` (and feedback as old), leaving a
    signed checkpoint of the last removed hash so the rest of the chain still verifies.

    Runs under the chain-head lock: records are numbered in time order under that lock, so
    the expired ones are exactly a prefix of the chain. Returns None when nothing is old.
    """
    with transaction.atomic():
        _chain_head_locked()
        last = AuditRecord.objects.filter(created_at__lt=older_than).order_by("-seq").first()
        if last is None:
            return None
        previous = AuditCheckpoint.objects.order_by("-up_to_seq").first()
        prefix = AuditRecord.objects.filter(seq__lte=last.seq).order_by("seq").iterator(chunk_size=2000)
        # Closed here, in the transaction: on PostgreSQL the iterator is a server-side cursor,
        # which the rollback on ChainBroken would destroy before a later close reached it.
        with closing(prefix):
            checked = chain_walk(
                prefix,
                start_hash=previous.last_hash if previous else GENESIS,
                start_seq=previous.up_to_seq + 1 if previous else 1,
            )
        if not checked.ok:
            raise ChainBroken(checked.problem)
        AuditDocument.objects.filter(record__seq__lte=last.seq)._raw_delete(DEFAULT_DB_ALIAS)
        removed = AuditRecord.objects.filter(seq__lte=last.seq)._raw_delete(DEFAULT_DB_ALIAS)
        Feedback.objects.filter(created_at__lt=older_than).delete()
        return AuditCheckpoint.objects.create(
            created_at=timezone.now(),
            up_to_seq=last.seq,
            last_hash=last.hash,
            removed=removed,
            signature=checkpoint_signature(up_to_seq=last.seq, last_hash=last.hash, removed=removed),
        )
