"""Across the sample corpus and every role: no personal value and no restricted passage ever
reaches the cloud, and nobody is cited a document they may not read."""

import json
import re
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from ingestion.models import Document
from ingestion.selectors import readable_documents
from ingestion.store import index_chunks
from router.pipeline import AskRequest, ask
from tests.conftest import PASSWORD, group

pytestmark = pytest.mark.django_db

# Personal data written in samples/ (contacts in the policies, the contract, the matrix).
PERSONAL_VALUES = [
    "Maria Gonzalez", "maria.gonzalez@northwind-robotics.example", "+44 20 7946 0321",
    "Chen Jing", "chen.jing@northwind-robotics.example", "+86 138 1762 4409", "138 1762 4409",
    "李娜", "139 0211 4567", "li.na@northwind-robotics.example", "陈静",
    "Tom Becker", "+49 151 2345 6789", "13916668888",
]  # fmt: skip
QUESTIONS = [
    "Compare the approval rules for trips abroad and domestic trips, explain why they differ, and who do I contact?",
    "Explain how annual leave and sick leave differ, and who should I contact in the UK and in China?",
    "比较不同金额的付款审批权限，并解释为什么大额付款需要CFO审批，联系人是谁？",
    "为什么薪资档案必须保密？请解释案例记录的处理流程以及和解金额。",
]


@pytest.fixture
def sample_kb(empty_index, db):
    call_command("seed_demo", stdout=StringIO())
    call_command("load_samples", sync=True, stdout=StringIO())
    assert Document.objects.filter(status="indexed").count() == Document.objects.count() >= 7
    return Document.objects.all()


def readable_ids(user: User) -> set[int]:
    documents = readable_documents(user=user)
    return set(documents.values_list("pk", flat=True))


def restricted_sentences() -> list[str]:
    sentences = []
    for document in Document.objects.filter(sensitivity="restricted"):
        for chunk in index_chunks(document_id=document.pk):
            sentences += [s.strip() for s in re.split(r"[。！？.!?\n]", chunk.text) if len(s.strip()) >= 12]
    return sentences


def test_nothing_private_reaches_the_cloud_for_any_role(sample_kb, cloud):
    people = list(User.objects.filter(username__in=["alice", "bob", "carol", "kim", "audrey"]))
    people.append(User.objects.create_user("oscar", password=PASSWORD))
    group("employees")
    answered = 0
    for person in people:
        allowed = readable_ids(person)
        for question in QUESTIONS:
            trace, meta = ask(AskRequest(question=question, user=person, channel="chat"))
            answered += bool(trace.answer)
            assert {c["document_id"] for c in meta.citations} <= allowed, (person, question)
            assert {r.document_id for r in trace.retrieved} <= allowed
    assert answered == len(people) * len(QUESTIONS)
    assert cloud.requests, "no question went to the cloud: the test would prove nothing"

    sent = json.dumps([r["messages"] for r in cloud.requests], ensure_ascii=False)
    sent_digits = re.sub(r"\D", "", sent)
    for value in PERSONAL_VALUES:
        assert value not in sent, value
        digits = re.sub(r"\D", "", value)
        if len(digits) >= 9:
            assert digits not in sent_digits, value
    for sentence in restricted_sentences():
        assert sentence not in sent, sentence
