"""The OpenAI-compatible API. Error shapes through Django's client; the real conversations
through the official `openai` SDK against the running server."""

import json

import openai
import pytest
from django.urls import reverse

from kb_assistant.accounts.models import api_token_create
from router.postprocess import HOLD_BACK_WIDTH, RELEASE_STEP_WIDTH
from tests.chat.conftest import HARD_TRAVEL_QUESTION

COMPLETIONS = "/v1/chat/completions"


def post(client, body, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(COMPLETIONS, data, content_type="application/json", **headers)


def assert_openai_error(response, status: int, error_type: str) -> dict:
    assert response.status_code == status
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"} and error["type"] == error_type
    return error


QUESTION = {"messages": [{"role": "user", "content": "How many days of annual leave do I get?"}]}


@pytest.mark.django_db
class TestErrors:
    def test_no_token_and_a_wrong_token_are_401(self, client):
        assert_openai_error(post(client, QUESTION), 401, "invalid_request_error")
        error = assert_openai_error(post(client, QUESTION, "kb_not-a-token"), 401, "invalid_request_error")
        assert error["code"] == "invalid_api_key"

    def test_a_logged_in_browser_session_is_not_a_token(self, client, alice):
        from tests.conftest import PASSWORD

        client.login(username="alice", password=PASSWORD)
        assert post(client, QUESTION).status_code == 401

    @pytest.mark.parametrize(
        ("body", "param"),
        [
            ("{not json", None),
            ([], None),
            ({"messages": []}, "messages"),
            ({"messages": [{"role": "assistant", "content": "Hello"}]}, "messages"),
            ({"messages": [{"role": "wizard", "content": "Hi"}]}, "messages[0].role"),
            ({"messages": [{"role": "user", "content": 42}]}, "messages[0].content"),
            ({**QUESTION, "stream": "yes"}, "stream"),
        ],
    )
    def test_a_malformed_body_is_400(self, client, alice, body, param):
        error = assert_openai_error(
            post(client, body, api_token_create(user=alice)), 400, "invalid_request_error"
        )
        assert error["param"] == param

    def test_an_unknown_model_is_refused_like_openai_does(self, client, alice):
        response = post(client, {**QUESTION, "model": "gpt-4o"}, api_token_create(user=alice))
        assert assert_openai_error(response, 404, "invalid_request_error")["code"] == "model_not_found"

    def test_a_user_over_the_daily_budget_gets_429(self, client, alice, settings):
        settings.ROUTER_DAILY_CLOUD_BUDGET_USD = 0.0
        response = post(client, QUESTION, api_token_create(user=alice))
        assert assert_openai_error(response, 429, "insufficient_quota")["code"] == "insufficient_quota"
        assert response["x-should-retry"] == "false"

    def test_models_needs_a_token_and_lists_the_assistant(self, client, alice):
        assert client.get(reverse("openai:models")).status_code == 401
        token = api_token_create(user=alice)
        body = client.get(reverse("openai:models"), HTTP_AUTHORIZATION=f"Bearer {token}").json()
        assert body["object"] == "list" and [m["id"] for m in body["data"]] == ["hybrid-kb"]


live_db = pytest.mark.django_db(transaction=True)


def sdk(live_server, token: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=token, max_retries=0, timeout=300)


@live_db
def test_the_sdk_gets_an_answer_with_citations_and_route(live_server, handbook, alice):
    client = sdk(live_server, api_token_create(user=alice))

    completion = client.chat.completions.create(model="hybrid-kb", messages=QUESTION["messages"])

    assert "25" in completion.choices[0].message.content
    assert completion.usage.total_tokens > 0
    kb = completion.model_extra["kb"]
    assert kb["route"] == "local" and kb["reasons"] and kb["request_id"]
    assert kb["citations"][0]["document_id"] == handbook["leave"].pk
    assert [m.id for m in client.models.list()] == ["hybrid-kb"]


@live_db
def test_the_sdk_streams_a_cloud_answer(live_server, handbook, alice, cloud):
    client = sdk(live_server, api_token_create(user=alice))

    stream = client.chat.completions.create(
        model="hybrid-kb",
        messages=[{"role": "user", "content": HARD_TRAVEL_QUESTION}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)

    kb = chunks[0].model_extra["kb"]
    assert kb["route"] == "cloud" and handbook["travel"].pk in {c["document_id"] for c in kb["sources_read"]}
    text = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert "".join(text).strip()
    # The filter holds the newest words back until it has seen them whole: an answer shorter
    # than that arrives in one piece, a longer one in several.
    assert len(text) > 1 or len("".join(text)) < HOLD_BACK_WIDTH + RELEASE_STEP_WIDTH
    assert any(c.choices and c.choices[0].finish_reason == "stop" for c in chunks)
    assert chunks[-1].usage.prompt_tokens > 0
    assert cloud.requests, "the answer came from the cloud"


@live_db
def test_the_sdk_is_refused_with_a_wrong_token_and_accepted_with_the_right_one(live_server, alice):
    with pytest.raises(openai.AuthenticationError):
        sdk(live_server, "kb_wrong").chat.completions.create(model="hybrid-kb", messages=QUESTION["messages"])
    with pytest.raises(openai.AuthenticationError):
        list(
            sdk(live_server, "kb_wrong").chat.completions.create(
                model="hybrid-kb", messages=QUESTION["messages"], stream=True
            )
        )
    assert sdk(live_server, api_token_create(user=alice)).models.list().data[0].id == "hybrid-kb"
