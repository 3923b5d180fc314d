"""The hash chain: canonical content hashing, checkpoint signatures and verification, shared
by writing (services) and checking (`audit_verify`), so both use exactly one definition."""

import hashlib
import hmac
import json
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass

from django.conf import settings

from kb_assistant.audit.models import AuditCheckpoint, AuditRecord, ChainHead

GENESIS = "0" * 64


def canonical_json(value: object) -> str:
    """Sorted keys and fixed separators: the same content always gives the same bytes."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def content_hash(*, prev_hash: str, content: dict) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical_json(content)}".encode()).hexdigest()


def record_content(record: AuditRecord) -> dict:
    """Every field an auditor relies on; changing any of them breaks the record's hash."""
    return {
        "seq": record.seq,
        "created_at": record.created_at.isoformat(),
        "kind": record.kind,
        "channel": record.channel,
        "user_id": record.user_id,
        "username": record.username,
        "request_id": record.request_id,
        "question": record.question,
        "intent": record.intent,
        "route": record.route,
        "has_cloud_payload": record.has_cloud_payload,
        "compliance_kinds": record.compliance_kinds,
        "cloud_in_tokens": record.cloud_in_tokens,
        "cloud_out_tokens": record.cloud_out_tokens,
        "plain_rag_tokens": record.plain_rag_tokens,
        "cost_usd": record.cost_usd,
        "plain_rag_cost_usd": record.plain_rag_cost_usd,
        "total_ms": record.total_ms,
        "latency_ms": record.latency_ms,
        "failed": record.failed,
        "breaker_open": record.breaker_open,
        "detail": record.detail,
    }


def _signature(message: str) -> str:
    """HMAC with the server's secret: whoever can edit the database cannot forge one."""
    return hmac.new(settings.SECRET_KEY.encode(), message.encode(), hashlib.sha256).hexdigest()


def checkpoint_signature(*, up_to_seq: int, last_hash: str, removed: int) -> str:
    return _signature(f"audit-checkpoint:{up_to_seq}:{last_hash}:{removed}")


def head_signature(*, seq: int, last_hash: str) -> str:
    """The chain itself is plain SHA-256, so anyone can recheck an export; the signed head
    is what someone who rewrote the whole chain from an edited record cannot reproduce."""
    return _signature(f"audit-head:{seq}:{last_hash}")


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    problem: str = ""
    broken_seq: int | None = None
    start_seq: int = 1
    last_hash: str = GENESIS


def _label(record: AuditRecord) -> str:
    return f"record #{record.seq} (id {record.pk}, {record.kind}, {record.created_at:%Y-%m-%d %H:%M:%S})"


def chain_walk(
    records: Iterable[AuditRecord], *, start_hash: str = GENESIS, start_seq: int = 1
) -> Verification:
    """Walk records in sequence order; name the first one that does not verify."""
    expected_prev, expected_seq, checked = start_hash, start_seq, 0
    for record in records:
        problem = ""
        if record.seq != expected_seq:
            problem = f"sequence gap, expected #{expected_seq} (a record was deleted or reordered)"
        elif record.prev_hash != expected_prev:
            problem = "previous-hash mismatch (a record before it was removed, replaced or reordered)"
        elif content_hash(prev_hash=record.prev_hash, content=record_content(record)) != record.hash:
            problem = "content does not match its hash (edited)"
        if problem:
            return Verification(False, checked, f"{_label(record)}: {problem}", record.seq, start_seq)
        expected_prev, expected_seq, checked = record.hash, record.seq + 1, checked + 1
    return Verification(True, checked, start_seq=start_seq, last_hash=expected_prev)


def chain_verify() -> Verification:
    """The whole log: the latest retention checkpoint (signature checked), every record after
    it, and the chain head, which catches records cut from the end."""
    start_hash, start_seq = GENESIS, 1
    checkpoint = AuditCheckpoint.objects.order_by("-up_to_seq").first()
    if checkpoint is not None:
        expected = checkpoint_signature(
            up_to_seq=checkpoint.up_to_seq, last_hash=checkpoint.last_hash, removed=checkpoint.removed
        )
        if not hmac.compare_digest(expected, checkpoint.signature):
            return Verification(
                False,
                0,
                f"retention checkpoint up to #{checkpoint.up_to_seq} (id {checkpoint.pk}) has a bad signature",
            )
        start_hash, start_seq = checkpoint.last_hash, checkpoint.up_to_seq + 1
    records = AuditRecord.objects.order_by("seq").iterator(chunk_size=2000)
    with closing(records):  # a server-side cursor on PostgreSQL: closed even when the walk stops early
        result = chain_walk(records, start_hash=start_hash, start_seq=start_seq)
    if not result.ok:
        return result
    head = ChainHead.objects.filter(pk=1).first()
    last_seq = start_seq - 1 + result.checked
    if head is not None and not hmac.compare_digest(
        head_signature(seq=head.seq, last_hash=head.hash), head.signature
    ):
        return Verification(
            False,
            result.checked,
            f"the chain head (#{head.seq}) has a bad signature: the log was rewritten without the server's key",
            head.seq,
            start_seq,
        )
    if head is not None and (head.seq, head.hash) != (last_seq, result.last_hash):
        return Verification(
            False,
            result.checked,
            f"the chain head is #{head.seq} but the log ends at #{last_seq} with another hash"
            " (records removed or replaced at the end)",
            last_seq,
            start_seq,
        )
    return result
