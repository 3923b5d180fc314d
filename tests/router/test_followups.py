"""A follow-up in a conversation over the sample knowledge base, through the whole pipeline:
it is answered from the evidence of its resolved question, cited, and the audit record keeps
both the question as asked and the resolved one."""

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from ingestion.models import Document
from kb_assistant.audit.models import AuditRecord
from router.pipeline import AskRequest, ask

pytestmark = pytest.mark.django_db

TRAVEL = "travel-and-expense-policy.pdf"


def follow_up(first: str, question: str, *, user: User):
    """Ask `first`, then `question` with the first turn as history, as the chat page does."""
    earlier, _ = ask(AskRequest(question=first, user=user, channel="chat"))
    history = [("user", first), ("assistant", earlier.answer)]
    return ask(AskRequest(question=question, user=user, channel="chat", history=history))


@pytest.mark.parametrize(
    ("first", "question", "resolved"),
    [
        ("What is the hotel limit per night in London?", "And what about Shanghai?",
         "What is the hotel limit per night in Shanghai?"),
        ("伦敦的酒店住宿标准是多少？", "上海呢？", "上海的酒店住宿标准是多少？"),
        ("What is the hotel limit per night in London?", "上海呢？", "What is the hotel limit per night in 上海?"),
    ],
)  # fmt: skip
def test_a_follow_up_on_hotel_limits_is_answered_from_the_hotel_table(sample_kb, first, question, resolved):
    alice = User.objects.get(username="alice")
    travel = Document.objects.get(original_name=TRAVEL)

    trace, meta = follow_up(first, question, user=alice)

    assert trace.question == question and trace.resolved_question == resolved
    assert trace.intent != "out_of_scope"
    assert travel.pk in {c["document_id"] for c in meta.citations}, trace.answer
    assert "220" in trace.answer, trace.answer
    record = AuditRecord.objects.get(request_id=trace.request_id)
    assert record.question == question and record.detail["resolved_question"] == resolved


def test_the_auditor_sees_the_question_as_asked_and_as_resolved(sample_kb, client):
    alice, audrey = User.objects.get(username="alice"), User.objects.get(username="audrey")
    trace, _ = follow_up("费用报销超过5万元需要谁审批？", "那采购合同呢？", user=alice)
    record = AuditRecord.objects.get(request_id=trace.request_id)

    client.force_login(audrey)
    page = client.get(
        reverse("audit:detail", args=[record.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "那采购合同呢？" in page
    assert "结合上文补全为" in page and "采购合同超过5万元需要谁审批？" in page


def test_a_question_that_stands_alone_goes_through_as_asked(sample_kb):
    alice = User.objects.get(username="alice")

    trace, _ = follow_up("What is the hotel limit per night in London?", "年假有多少天？", user=alice)

    assert trace.resolved_question is None
    assert trace.stages[0].name == "resolve" and trace.stages[0].detail == {"changed": False}
