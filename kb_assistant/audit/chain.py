"""The hash chain: canonical content hashing and verification, shared by writing and checking."""

import hashlib
import hmac
import json
from dataclasses import dataclass

from django.conf import settings

GENESIS = "0" * 64


def content_hash(*, prev_hash: str, content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def record_content(record) -> dict:
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
        "cloud_tokens": record.cloud_tokens,
        "plain_rag_tokens": record.plain_rag_tokens,
        "cost_usd": record.cost_usd,
        "plain_rag_cost_usd": record.plain_rag_cost_usd,
        "failed": record.failed,
        "detail": record.detail,
    }


def checkpoint_signature(*, up_to_seq: int, last_hash: str, removed: int) -> str:
    message = f"{up_to_seq}:{last_hash}:{removed}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    problem: str = ""


def verify_chain(records, *, start_hash: str = GENESIS, start_seq: int = 1) -> Verification:
    """Walk records in sequence order; name the first one that does not verify."""
    expected_prev, expected_seq, checked = start_hash, start_seq, 0
    for record in records:
        label = f"record #{record.seq} (id {record.pk}, {record.kind}, {record.created_at:%Y-%m-%d %H:%M:%S})"
        if record.seq != expected_seq:
            return Verification(
                False, checked, f"{label}: sequence gap, expected #{expected_seq} (deleted or reordered)"
            )
        if record.prev_hash != expected_prev:
            return Verification(
                False,
                checked,
                f"{label}: previous-hash mismatch (a record before it was removed or reordered)",
            )
        if content_hash(prev_hash=record.prev_hash, content=record_content(record)) != record.hash:
            return Verification(False, checked, f"{label}: content does not match its hash (edited)")
        expected_prev, expected_seq, checked = record.hash, record.seq + 1, checked + 1
    return Verification(True, checked)
