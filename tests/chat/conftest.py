"""Documents in the real index for the chat tests, and the helpers the stories share."""

import pytest
from django.conf import settings

from ingestion.models import Document
from ingestion.pipeline import ingest_document
from ingestion.services import document_submit
from kb_assistant.chat.models import Conversation
from router.config import cloud_config
from router.deps import cloud_gate
from tests.conftest import group
from tests.misbehaving_cloud import MisbehavingCloud

LEAVE = """# Leave policy

## Annual leave
Every employee receives 25 days of annual leave per calendar year. Unused days carry over until 31 March.
Requests are approved by the line manager in the HR portal at least two weeks in advance.

## Contacts
Questions about leave go to Maria Gonzalez (maria.gonzalez@northwind.example).
"""
TRAVEL = """# Travel and expense policy

## Approval thresholds
Trips within the country need approval from the line manager. Trips abroad need approval from the
department director and, above 5,000 EUR, from the CFO as well.

## Per diem
The daily allowance is 60 EUR in Europe and 80 EUR in North America. Receipts are required above 25 EUR.
"""
SALARY_BANDS = """# Salary bands 2026

## Band C
Band C salaries range from 52,000 to 61,000 EUR. Only HR may read this table.
"""
HARD_TRAVEL_QUESTION = "Compare the approval rules for trips abroad and within the country, and explain why the thresholds differ?"


def put(name: str, text: str | bytes, groups=(), sensitivity: str = "internal") -> Document:
    data = text if isinstance(text, bytes) else text.encode()
    result = document_submit(
        filename=name, data=data, uploaded_by=None, groups=[group(g) for g in groups],
        sensitivity=sensitivity, max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=False,
    )  # fmt: skip
    ingest_document(result.document.pk)
    result.document.refresh_from_db()
    assert result.document.status == "indexed", result.document.failure_reason
    return result.document


@pytest.fixture
def handbook(empty_index, db) -> dict[str, Document]:
    return {
        "leave": put("leave.md", LEAVE, groups=["employees"]),
        "travel": put("travel.md", TRAVEL, groups=["employees"]),
        "salaries": put("salary-bands.md", SALARY_BANDS, groups=["hr"]),
    }


def conversation_of(user) -> Conversation:
    return Conversation.objects.create(owner=user, title=f"{user.username}'s questions")


@pytest.fixture
def quoting_local_model(settings):
    """Offline, with a local model whose draft is too thin to show: answers quote passages."""
    server = MisbehavingCloud(answer="Let me see.")
    settings.OPENAI_API_KEY = ""
    settings.LOCAL_LLM_BASE_URL = server.base_url
    settings.LOCAL_DRAFT_SECONDS = 30.0
    yield server
    server.close()


@pytest.fixture
def scripted_cloud(settings, quoting_local_model):
    """Hybrid mode; the cloud answers with `scripted_cloud.answer`."""
    server = MisbehavingCloud()
    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.OPENAI_BASE_URL = server.base_url
    settings.CLOUD_MODEL = "scripted-cloud"
    settings.ROUTER_LATENCY_BUDGET_MS = 60_000
    cloud_gate(cloud_config()).reset()
    yield server
    cloud_gate(cloud_config()).reset()
    server.close()
