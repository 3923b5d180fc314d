"""Many requests finishing at once, in several processes' worth of connections: the chain
head's row lock numbers their records one after another, so the chain never forks and still
verifies. Runs on SQLite and, in the test command's PostgreSQL part, on PostgreSQL."""

import pytest

from kb_assistant.audit.chain import chain_verify
from kb_assistant.audit.models import AuditDocument, AuditRecord, ChainHead
from kb_assistant.audit.services import audit_event, audit_request
from tests.audit.conftest import cloud_trace
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS, EACH = 8, 20


def test_concurrent_writers_leave_one_chain_that_verifies(alice):
    def write(n: int) -> None:
        for i in range(EACH):
            if n % 2:
                audit_request(trace=cloud_trace(alice))
            else:
                audit_event(kind="login", user=alice, detail={"writer": n, "i": i})

    at_once(WRITERS, write)

    total = WRITERS * EACH
    seqs = list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))  # no gap, no number given twice
    head = ChainHead.objects.get()
    assert head.seq == total
    requests = WRITERS // 2 * EACH
    assert AuditDocument.objects.count() == 2 * requests  # each request record names two documents
    verification = chain_verify()
    assert verification.ok, verification.problem
    assert verification.checked == total
