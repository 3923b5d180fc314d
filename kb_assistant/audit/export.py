"""Export of a filtered set as CSV (one row per record, for spreadsheets) or JSON Lines
(the whole record with its hashes and feedback, for tools and re-verification)."""

import csv
import io
import json
from collections.abc import Iterator

from django.db.models import QuerySet

from kb_assistant.audit.chain import record_content
from kb_assistant.audit.models import AuditRecord, Feedback
from kb_assistant.audit.selectors import audit_record_batches

CSV_COLUMNS = (
    "seq",
    "created_at",
    "kind",
    "channel",
    "username",
    "user_id",
    "request_id",
    "question",
    "intent",
    "route",
    "reasons",
    "documents",
    "chunks",
    "has_cloud_payload",
    "cloud_payload",
    "models",
    "cloud_in_tokens",
    "cloud_out_tokens",
    "plain_rag_tokens",
    "cost_usd",
    "plain_rag_cost_usd",
    "total_ms",
    "latency_ms",
    "compliance_actions",
    "failed",
    "error",
    "answer",
    "feedback",
    "detail",
    "prev_hash",
    "hash",
)
# Columns copied as they are; the others are drawn from the trace below.
RECORD_FIELDS = (
    "seq",
    "kind",
    "channel",
    "username",
    "user_id",
    "request_id",
    "question",
    "intent",
    "route",
    "has_cloud_payload",
    "cloud_in_tokens",
    "cloud_out_tokens",
    "plain_rag_tokens",
    "cost_usd",
    "plain_rag_cost_usd",
    "total_ms",
    "failed",
    "prev_hash",
    "hash",
)
# A cell starting with one of these is run as a formula by spreadsheet programs; questions
# and answers are user text, so such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _csv_row(record: AuditRecord, feedback: list[Feedback]) -> list[object]:
    trace = record.detail if record.kind == "request" else {}
    row = {
        **{name: getattr(record, name) for name in RECORD_FIELDS},
        "created_at": record.created_at.isoformat(),
        "reasons": " | ".join(trace.get("reasons", [])),
        "documents": " ".join(sorted({str(c["document_id"]) for c in trace.get("retrieved", [])})),
        "chunks": " ".join(c["chunk_id"] for c in trace.get("retrieved", [])),
        "cloud_payload": _json(trace.get("cloud_payload")),
        "models": _json(trace.get("models")),
        "latency_ms": _json(record.latency_ms),
        "compliance_actions": _json(trace.get("compliance_actions")),
        "error": trace.get("error") or "",
        "answer": trace.get("answer", ""),
        "feedback": " | ".join(
            f"{'up' if f.rating > 0 else 'down'} by {f.username}" + (f": {f.comment}" if f.comment else "")
            for f in feedback
        ),
        "detail": "" if trace else _json(record.detail),
    }
    return [_cell(row[name]) for name in CSV_COLUMNS]


def export_csv(*, records: QuerySet[AuditRecord]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for batch, feedback in audit_record_batches(records=records):
        for record in batch:
            writer.writerow(_csv_row(record, feedback.get(record.request_id, [])))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()


def _jsonl_object(record: AuditRecord, feedback: list[Feedback]) -> dict:
    return {
        **record_content(record),
        "id": record.pk,
        "prev_hash": record.prev_hash,
        "hash": record.hash,
        "feedback": [
            {
                "username": f.username,
                "rating": f.rating,
                "comment": f.comment,
                "created_at": f.created_at.isoformat(),
            }
            for f in feedback
        ],
    }


def export_jsonl(*, records: QuerySet[AuditRecord]) -> Iterator[str]:
    for batch, feedback in audit_record_batches(records=records):
        yield "".join(
            json.dumps(_jsonl_object(record, feedback.get(record.request_id, [])), ensure_ascii=False) + "\n"
            for record in batch
        )
