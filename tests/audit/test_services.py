"""One record per request, whatever happened, and the events around documents and logins."""

import threading

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from kb_assistant.audit.chain import chain_verify
from kb_assistant.audit.models import AuditDocument, AuditRecord, Feedback
from kb_assistant.audit.services import audit_event, audit_request, feedback_record
from router.events import Meta
from router.reasons import Reason, ReasonCode
from router.trace import Tokens, Trace
from tests.audit.conftest import CLOUD_PAYLOAD, cloud_trace, local_trace
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_cloud_request_is_recorded_with_everything_an_auditor_asks_about(alice):
    record = audit_request(trace=cloud_trace(alice))

    assert (record.kind, record.username, record.user_id, record.channel) == (
        "request",
        "alice",
        alice.pk,
        "chat",
    )
    assert (record.intent, record.route, record.has_cloud_payload) == ("finance", "cloud", True)
    assert (record.cloud_in_tokens, record.cloud_out_tokens, record.plain_rag_tokens) == (61, 40, 540)
    assert record.cost_usd == pytest.approx(0.0000332)
    assert record.compliance_kinds == "placeholder_restored"
    assert record.latency_ms["generate"] == 820.0 and record.total_ms == pytest.approx(861.6)
    assert not record.failed
    stored = AuditRecord.objects.get(pk=record.pk).detail
    assert stored["cloud_payload"] == CLOUD_PAYLOAD
    assert stored["local_context"].startswith("[1] Trips abroad")
    assert [c["chunk_id"] for c in stored["retrieved"]] == ["7:0", "7:1", "9:3"]
    assert stored["reasons"][0].startswith("needs reasoning")
    assert stored["answer"].endswith("[1].")
    documents = {(d.document_id, d.sensitivity, d.cited) for d in AuditDocument.objects.filter(record=record)}
    assert documents == {(7, "internal", True), (9, "internal", False)}


def test_a_local_request_records_that_nothing_went_to_the_cloud(alice):
    record = audit_request(trace=local_trace(alice))

    assert (record.route, record.has_cloud_payload, record.cloud_in_tokens) == ("local", False, 0)
    assert record.detail["cloud_payload"] is None


def test_a_request_that_failed_midway_is_recorded_as_far_as_it_got(alice):
    trace = Trace(question="What is the VPN address?", username="alice", channel="api", user_id=alice.pk)
    trace.intent = "it_process"
    trace.error = "IndexUnavailable: the vector index did not answer"

    record = audit_request(trace=trace)

    assert record.failed and record.route == "" and record.channel == "api"
    assert record.detail["error"] == "IndexUnavailable: the vector index did not answer"
    assert record.detail["question"] == "What is the VPN address?"


def test_a_cloud_failure_that_fell_back_keeps_the_payload_that_was_sent(alice):
    trace = cloud_trace(alice, route="fallback")
    trace.reasons.append(
        Reason(ReasonCode.CLOUD_FAILED, "the cloud failed (timed out); answered locally instead")
    )
    trace.tokens = Tokens(cloud_in=61, plain_rag_in=540)

    record = audit_request(trace=trace)

    assert (record.route, record.has_cloud_payload, record.failed) == ("fallback", True, False)
    assert record.detail["cloud_payload"] == CLOUD_PAYLOAD


def test_a_request_refused_by_an_open_breaker_is_flagged(alice):
    trace = local_trace(
        alice,
        reasons=[
            Reason(
                ReasonCode.BREAKER_OPEN,
                "the cloud circuit breaker is open after repeated failures; next probe in 20s",
            )
        ],
    )

    assert audit_request(trace=trace).breaker_open


def test_a_request_stopped_by_the_client_is_still_recorded_by_the_pipeline(empty_index, alice):
    from router.pipeline import AskRequest, run

    events = run(AskRequest(question="How many days of annual leave do I get?", user=alice, channel="chat"))
    meta = next(event for event in events if isinstance(event, Meta))
    events.close()  # the browser went away before the answer

    record = AuditRecord.objects.get(request_id=meta.request_id)
    assert (record.kind, record.username, record.channel) == ("request", "alice", "chat")
    assert record.route == "local" and record.latency_ms["retrieve"] >= 0


def test_records_cannot_be_changed_or_deleted_through_the_application(alice):
    record = audit_request(trace=local_trace(alice))
    record.question = "something else"

    for attempt in (
        record.save,
        record.delete,
        lambda: AuditRecord.objects.filter(pk=record.pk).update(question="x"),
        lambda: AuditRecord.objects.all().delete(),
    ):
        with pytest.raises(PermissionError):
            attempt()
    assert AuditRecord.objects.get(pk=record.pk).question == "How many days of annual leave do I get?"


def test_the_admin_offers_no_way_to_add_change_or_delete(audrey):
    request = RequestFactory().get("/admin/")
    request.user = audrey
    for model in (AuditRecord, Feedback):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_deleting_a_user_leaves_their_records_intact(alice):
    audit_request(trace=local_trace(alice))
    alice.delete()

    record = AuditRecord.objects.get()
    assert record.username == "alice" and record.user_id is not None
    assert chain_verify().ok


def test_feedback_is_kept_beside_the_record_it_rates(alice):
    record = audit_request(trace=local_trace(alice))

    feedback = feedback_record(request_id=record.request_id, user=alice, rating=-1, comment="  wrong year ")

    assert (feedback.username, feedback.rating, feedback.comment) == ("alice", -1, "wrong year")
    with pytest.raises(ValueError):
        feedback_record(request_id=record.request_id, user=alice, rating=5)
    assert chain_verify().ok


def test_document_events_name_the_document_for_the_document_filter(kim):
    record = audit_event(kind="document_delete", user=kim, detail={"document_id": 12, "title": "Old policy"})

    assert (record.kind, record.username, record.user_id) == ("document_delete", "kim", kim.pk)
    assert AuditDocument.objects.get(record=record).document_id == 12
    with pytest.raises(ValueError):
        audit_event(kind="coffee_break", user=kim, detail={})


def test_a_login_and_a_failed_login_are_recorded(client, alice):
    client.post(reverse("login"), {"username": "alice", "password": "not-it"})
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.7")

    failed, login = AuditRecord.objects.order_by("seq")
    assert (failed.kind, failed.username, failed.user_id) == ("login_failed", "alice", None)
    assert "not-it" not in str(failed.detail)
    assert (login.kind, login.username, login.user_id) == ("login", "alice", alice.pk)
    assert login.detail["ip"] == "10.0.0.7"


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_never_fork_the_chain(alice):
    def write() -> None:
        try:
            for _ in range(10):
                audit_request(trace=local_trace(alice))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert list(AuditRecord.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 41))
    assert chain_verify().ok
