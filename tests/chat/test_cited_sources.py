"""`/v1` and `manage.py ask --json` list the sources an answer cites, as the chat page does
(issue 15); every passage read is still there apart (`sources_read`), and in the audit.

The cloud is a server on loopback that answers with a fixed text (tests/misbehaving_cloud.py),
so the test knows which of the passages read the answer marks; the rest is the product."""

import json
from io import StringIO

import openai
import pytest
from django.core.management import call_command

from kb_assistant.accounts.models import api_token_create
from kb_assistant.audit.models import AuditRecord
from tests.chat.conftest import HARD_TRAVEL_QUESTION, put

live_db = pytest.mark.django_db(transaction=True)

APPROVALS = """# Approvals handbook

## Travel approvals
Trips abroad are approved by the department director before anything is booked.
The line manager approves trips within the country in the HR portal.
"""
CITING_ONE = "Trips abroad need the department director's approval [2]."
REFUSAL = "The documents do not say why the thresholds differ."
MESSAGES = [{"role": "user", "content": HARD_TRAVEL_QUESTION}]


@pytest.fixture
def approvals(handbook):
    """A second document on the same subject, so the answer reads more than it cites."""
    return {**handbook, "approvals": put("approvals.md", APPROVALS, groups=["employees"])}


def sdk(live_server, user) -> openai.OpenAI:
    token = api_token_create(user=user)
    return openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=token, max_retries=0, timeout=300)


def numbers(sources: list[dict]) -> list[int]:
    return [source["number"] for source in sources]


def audited_chunks(request_id: str) -> list[str]:
    record = AuditRecord.objects.get(kind="request", request_id=request_id)
    return [passage["chunk_id"] for passage in record.detail["retrieved"]]


@live_db
def test_the_api_lists_only_the_cited_sources_and_the_read_ones_apart(
    live_server, approvals, alice, scripted_cloud
):
    scripted_cloud.answer = CITING_ONE
    completion = sdk(live_server, alice).chat.completions.create(model="hybrid-kb", messages=MESSAGES)

    kb = completion.model_extra["kb"]
    assert kb["route"] == "cloud"
    assert len(kb["sources_read"]) > 1, "more passages were read than cited"
    assert numbers(kb["citations"]) == [2] and kb["citations"][0] in kb["sources_read"]
    assert set(audited_chunks(kb["request_id"])) >= {s["chunk_id"] for s in kb["sources_read"]}


@live_db
def test_a_stream_sends_the_read_sources_first_and_the_cited_ones_with_its_end(
    live_server, approvals, alice, scripted_cloud
):
    scripted_cloud.answer = CITING_ONE
    chunks = list(
        sdk(live_server, alice).chat.completions.create(model="hybrid-kb", messages=MESSAGES, stream=True)
    )

    first = chunks[0].model_extra["kb"]
    last = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop").model_extra["kb"]
    assert len(first["sources_read"]) > 1 and "citations" not in first  # the answer is not written yet
    assert numbers(last["citations"]) == [2] and last["citations"][0] in first["sources_read"]


@live_db
def test_a_refusal_over_the_api_cites_nothing(live_server, approvals, alice, scripted_cloud):
    scripted_cloud.answer = REFUSAL
    completion = sdk(live_server, alice).chat.completions.create(model="hybrid-kb", messages=MESSAGES)

    kb = completion.model_extra["kb"]
    assert kb["citations"] == [] and kb["sources_read"]
    assert set(audited_chunks(kb["request_id"])) >= {s["chunk_id"] for s in kb["sources_read"]}


@pytest.mark.django_db
@pytest.mark.parametrize(("answer", "cited"), [(CITING_ONE, [2]), (REFUSAL, [])])
def test_ask_json_cites_what_the_answer_marks(approvals, alice, scripted_cloud, answer, cited):
    scripted_cloud.answer = answer
    out = StringIO()
    call_command("ask", HARD_TRAVEL_QUESTION, "--user", "alice", "--json", stdout=out)

    body = json.loads(out.getvalue())
    assert body["route"] == "cloud" and len(body["sources_read"]) > 1
    assert numbers(body["citations"]) == cited
    assert all(set(c) >= {"document_id", "title"} for c in body["citations"])  # DESIGN.md's fields
    assert set(audited_chunks(body["request_id"])) >= {c["chunk_id"] for c in body["sources_read"]}
