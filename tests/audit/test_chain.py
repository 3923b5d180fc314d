"""The log must be trustworthy: any edit, deletion or reordering is found and named, and
retention removes old records without breaking verification."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from kb_assistant.audit.chain import chain_verify
from kb_assistant.audit.models import AuditCheckpoint, AuditRecord
from kb_assistant.audit.services import ChainBroken, audit_records_expire, audit_request
from tests.audit.conftest import cloud_trace, local_trace

pytestmark = pytest.mark.django_db


@pytest.fixture
def five(alice) -> list[AuditRecord]:
    return [audit_request(trace=(cloud_trace if i % 2 else local_trace)(alice)) for i in range(5)]


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def delete_seq(seq: int) -> None:
    """What someone with database access would do: the record and its document rows."""
    sql(
        "DELETE FROM audit_auditdocument WHERE record_id IN (SELECT id FROM audit_auditrecord WHERE seq = %s)",
        seq,
    )
    sql("DELETE FROM audit_auditrecord WHERE seq = %s", seq)


def verify_command() -> tuple[int, str]:
    """Run `manage.py audit_verify`; return its exit code and everything it printed."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def test_an_untouched_log_verifies(five):
    assert verify_command() == (0, "OK: 5 records verify\n")


def test_an_edited_record_is_named(five):
    sql("UPDATE audit_auditrecord SET question = 'harmless' WHERE seq = 3")

    code, output = verify_command()

    assert code == 1
    assert f"record #3 (id {five[2].pk}" in output and "edited" in output


def test_an_edit_to_the_trace_or_the_cost_is_caught_too(five):
    sql("UPDATE audit_auditrecord SET cost_usd = 0 WHERE seq = 2")

    assert chain_verify().broken_seq == 2


def test_a_deleted_record_is_named(five):
    delete_seq(2)

    code, output = verify_command()

    assert code == 1
    assert "record #3" in output and "sequence gap, expected #2" in output


def test_reordered_records_are_named(five):
    sql("UPDATE audit_auditrecord SET seq = seq + 100 WHERE seq IN (2, 4)")
    sql("UPDATE audit_auditrecord SET seq = 4 WHERE seq = 102")
    sql("UPDATE audit_auditrecord SET seq = 2 WHERE seq = 104")

    code, output = verify_command()

    assert code == 1
    assert "record #2" in output and "previous-hash mismatch" in output


def test_records_cut_from_the_end_are_noticed(five):
    delete_seq(5)

    result = chain_verify()

    assert not result.ok and "chain head is #5" in result.problem


def test_a_chain_rewritten_from_an_edited_record_onwards_is_caught_by_the_signed_head(five):
    """Someone with database access but not the server's key edits a record and recomputes
    every hash after it, head included: the chain is consistent again, the head's signature
    is not."""
    from kb_assistant.audit.chain import GENESIS, content_hash, record_content

    prev = GENESIS
    for record in AuditRecord.objects.order_by("seq"):
        if record.seq == 3:
            record.question = "harmless"
        record.prev_hash = prev
        record.hash = prev = content_hash(prev_hash=prev, content=record_content(record))
        sql(
            "UPDATE audit_auditrecord SET question = %s, prev_hash = %s, hash = %s WHERE id = %s",
            record.question, record.prev_hash, record.hash, record.pk,
        )  # fmt: skip
    sql("UPDATE audit_chainhead SET hash = %s WHERE id = 1", prev)

    code, output = verify_command()

    assert code == 1
    assert "chain head (#5) has a bad signature" in output


def test_expiry_removes_old_records_and_the_rest_still_verifies(alice, write_at):
    long_ago = timezone.now() - timedelta(days=400)
    for days in (3, 2, 1):
        write_at(long_ago - timedelta(days=days), local_trace(alice))
    kept = audit_request(trace=cloud_trace(alice))

    call_command("audit_expire", "--days", "365")

    assert list(AuditRecord.objects.values_list("seq", flat=True)) == [kept.seq]
    checkpoint = AuditCheckpoint.objects.get()
    assert (checkpoint.up_to_seq, checkpoint.removed) == (3, 3)
    assert verify_command() == (0, "OK: 1 records verify from the retention checkpoint at #3\n")
    audit_request(trace=local_trace(alice))
    assert chain_verify().ok


def test_a_forged_checkpoint_does_not_verify(alice, write_at):
    write_at(timezone.now() - timedelta(days=30), local_trace(alice))
    audit_request(trace=local_trace(alice))
    audit_records_expire(older_than=timezone.now() - timedelta(days=1))
    # Someone deletes one more record and moves the checkpoint to hide it.
    second = AuditRecord.objects.get(seq=2)
    delete_seq(2)
    sql("UPDATE audit_auditcheckpoint SET up_to_seq = 2, last_hash = %s", second.hash)

    code, output = verify_command()

    assert code == 1 and "checkpoint up to #2" in output and "bad signature" in output


def test_expiry_refuses_to_sign_over_tampered_records(alice, write_at):
    for days in (40, 39):
        write_at(timezone.now() - timedelta(days=days), local_trace(alice))
    sql("UPDATE audit_auditrecord SET username = 'mallory' WHERE seq = 1")

    with pytest.raises(ChainBroken, match="record #1"):
        audit_records_expire(older_than=timezone.now() - timedelta(days=1))
    assert AuditRecord.objects.count() == 2 and not AuditCheckpoint.objects.exists()


def test_expiry_with_nothing_old_changes_nothing(five):
    assert audit_records_expire(older_than=timezone.now() - timedelta(days=1)) is None
    assert AuditRecord.objects.count() == 5
