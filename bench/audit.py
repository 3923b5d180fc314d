"""The audit review at scale: 100,000 request records in a throw-away SQLite database, then
the list page (first, filtered, deep), the detail page, the dashboard, the CSV and JSON
Lines exports and `audit_verify`, timed through Django's test client with an auditor
logged in. Prints one JSON object.

    .venv/bin/python bench/audit.py [--records 100000] [--runs 5]

Filling the log through `audit_request` costs about 2 ms a record (the ORM, not the hash),
so 100,000 of them would take minutes: a few hundred varied traces are written through
`audit_request`, then copied in bulk with new sequence numbers and times, each re-hashed
with the real chain functions, so the result is a valid chain that `audit_verify` accepts.
"""

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_dir

TEMPLATES = 400
DAYS = 90
BATCH = 5000


def _traces(users: list) -> list:
    """Varied requests: routes, intents, documents, compliance actions, failures."""
    from router.reasons import Reason, ReasonCode
    from router.trace import ComplianceAction, Costs, RetrievedChunk, StageRecord, Tokens, Trace

    rng = random.Random(5)
    intents = ["hr_admin", "contract_legal", "it_process", "finance", "chit_chat", "out_of_scope"]
    traces = []
    for i in range(TEMPLATES):
        user = users[i % len(users)]
        route = rng.choices(["local", "cloud", "fallback"], weights=[60, 35, 5])[0]
        trace = Trace(question=f"Question {i}: " + "how does the policy apply here? " * 3, username=user.username,
                      channel=rng.choice(["chat", "api"]), user_id=user.pk)  # fmt: skip
        trace.intent, trace.intent_confidence, trace.route = rng.choice(intents), 0.8, route
        docs = rng.sample(range(1, 31), 3)
        trace.retrieved = [
            RetrievedChunk(
                f"{d}:{k}", d, f"Document {d}", rng.choice(["public", "internal", "confidential"]), 0.5
            )
            for d in docs
            for k in range(2)
        ]
        trace.cited_document_ids = docs[:2]
        trace.reasons = [Reason(ReasonCode.DIRECT_LOOKUP, f"reason for {route}")] + (
            [Reason(ReasonCode.BREAKER_OPEN, "the cloud circuit breaker is open")] if i % 50 == 0 else []
        )
        trace.local_context = "[1] " + "Context sentence that answers the question. " * 20
        if route != "local":
            trace.cloud_payload = [{"role": "system", "content": "Answer from the context."},
                                   {"role": "user", "content": "Context: " + "<PERSON_1> sentence. " * 30}]  # fmt: skip
            trace.tokens = Tokens(cloud_in=180 + i % 50, cloud_out=60)
            trace.cost_usd = Costs(cloud=0.00006)
        trace.tokens.plain_rag_in = 900 + i % 200
        trace.cost_usd.plain_rag = 0.00018
        trace.compliance_actions = [ComplianceAction(k, "changed") for k in rng.sample(
            ["pii_masked", "secret_removed", "blocked_term", "glossary", "placeholder_restored"], rng.randint(0, 2))]  # fmt: skip
        trace.answer = "An answer citing [1]. " * 8
        trace.error = "Timeout: the local model did not answer" if i % 97 == 0 else None
        trace.stages = [StageRecord(name, "cloud" if name == "generate" and route == "cloud" else "local",
                                    round(rng.uniform(1, 40 if name != "generate" else 900), 2))
                        for name in ("intent", "retrieve", "condense", "protect", "route", "generate", "postprocess")]  # fmt: skip
        traces.append(trace)
    return traces


def fill(total: int) -> float:
    """Fill the log; return the mean time of one `audit_request` append, in ms."""
    from django.contrib.auth.models import User
    from django.db import DEFAULT_DB_ALIAS, transaction
    from django.utils import timezone

    from kb_assistant.audit.chain import GENESIS, content_hash, head_signature, record_content
    from kb_assistant.audit.models import AuditDocument, AuditRecord, ChainHead
    from kb_assistant.audit.services import audit_request

    users = [User.objects.create_user(f"user{n:02d}") for n in range(50)]
    traces = _traces(users)
    began = time.perf_counter()
    templates = [audit_request(trace=trace) for trace in traces]
    append_ms = (time.perf_counter() - began) * 1000 / len(traces)
    documents = {
        t.pk: list(AuditDocument.objects.filter(record=t).values("document_id", "title", "cited"))
        for t in templates
    }
    AuditDocument.objects.all()._raw_delete(DEFAULT_DB_ALIAS)
    AuditRecord.objects.all()._raw_delete(DEFAULT_DB_ALIAS)
    copied = [
        f.name
        for f in AuditRecord._meta.concrete_fields
        if f.name not in {"id", "seq", "created_at", "prev_hash", "hash"}
    ]
    start, step = timezone.now() - timedelta(days=DAYS), timedelta(days=DAYS) / total
    prev = GENESIS
    for first in range(1, total + 1, BATCH):
        records = []
        for seq in range(first, min(first + BATCH, total + 1)):
            template = templates[seq % TEMPLATES]
            record = AuditRecord(seq=seq, created_at=start + step * seq, prev_hash=prev,
                                 **{name: getattr(template, name) for name in copied})  # fmt: skip
            record.hash = prev = content_hash(prev_hash=prev, content=record_content(record))
            records.append(record)
        with transaction.atomic():
            AuditRecord.objects.bulk_create(records)
            AuditDocument.objects.bulk_create(
                AuditDocument(record=r, **doc)
                for r in records
                for doc in documents[templates[r.seq % TEMPLATES].pk]
            )
    ChainHead.objects.filter(pk=1).update(
        seq=total, hash=prev, signature=head_signature(seq=total, last_hash=prev)
    )
    return append_ms


def timed(run, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        run()
        samples.append((time.perf_counter() - begin) * 1000)
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    django_in_temp_dir()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.test import Client

    from kb_assistant.accounts.roles import AUDITORS
    from kb_assistant.audit.models import AuditRecord

    began = time.perf_counter()
    append_ms = fill(args.records)
    fill_seconds = time.perf_counter() - began
    auditor = User.objects.create_user("audrey")
    auditor.groups.add(Group.objects.get_or_create(name=AUDITORS)[0])
    client = Client(SERVER_NAME="localhost")
    client.force_login(auditor)
    deep = AuditRecord.objects.order_by("seq").values_list("seq", flat=True)[500]
    some = AuditRecord.objects.filter(kind="request").order_by("seq").first()

    def page(query: str):
        def fetch():
            response = client.get("/audit/" + query)
            assert response.status_code == 200, (query, response.status_code)

        return fetch

    def export(query: str):
        def fetch():
            response = client.get("/audit/export/" + query)
            assert response.status_code == 200
            return sum(len(part) for part in response.streaming_content)

        return fetch

    pages = {
        "list_first_page": "",
        "list_filtered_route_cloud": "?route=cloud",
        "list_filtered_cloud_and_compliance_and_user": "?cloud=yes&compliance=pii_masked&user=user07",
        "list_filtered_document": "?document=17",
        "list_filtered_date_range_and_intent": "?date_from={}&date_to={}&intent=finance".format(
            *(
                d.isoformat()
                for d in (
                    some.created_at.date() + timedelta(days=30),
                    some.created_at.date() + timedelta(days=37),
                )
            )
        ),
        "list_deep_page": f"?before={deep}",
        "detail": f"{some.pk}/",
        "dashboard_last_30_days": "dashboard/",
        "dashboard_90_days": f"dashboard/?date_from={some.created_at.date().isoformat()}",
    }
    results = {name: timed(page(query), args.runs) for name, query in pages.items()}
    for name, query in {
        "export_csv_all": "?format=csv",
        "export_jsonl_all": "?format=jsonl",
        "export_csv_route_cloud": "?format=csv&route=cloud",
    }.items():
        size = export(query)()
        results[name] = {**timed(export(query), 1), "megabytes": round(size / 1e6, 1)}
    verify_start = time.perf_counter()
    call_command("audit_verify", stdout=open("/dev/null", "w"))  # noqa: SIM115
    results["audit_verify_ms"] = round((time.perf_counter() - verify_start) * 1000, 1)
    print(json.dumps({
        "records": AuditRecord.objects.count(),
        "fill_seconds": round(fill_seconds, 1),
        "audit_request_append_ms": round(append_ms, 2),
        "database": "SQLite (WAL), one process",
        "runs": args.runs,
        "results": results,
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
