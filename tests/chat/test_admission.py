"""Under load the web tier bounds its local-model queue, and a question beyond the bound is
still answered at once, with the passages quoted instead of a draft: over real HTTP against
the running app, with the real small model. Another user's answer is simulated by a real
generation that holds the model (the live server shares this process, and so the model and
its queue)."""

import re
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager

import httpx
import openai
import pytest
from django.test import Client

from kb_assistant.accounts.models import api_token_create
from kb_assistant.audit.models import AuditRecord
from kb_assistant.chat.models import Conversation
from router.backends import LazyLocalBackend
from router.config import local_llm_config
from router.warm import warm_local_models
from tests.chat.conftest import conversation_of

pytestmark = pytest.mark.django_db(transaction=True)

# One part, English, a short context: the local route asks the model for this one.
MODEL_QUESTION = "How many days of annual leave do I get?"
# Two parts: the local route quotes the passages for each without asking the model.
QUOTED_QUESTION = "How many days of annual leave do I get, and what is the daily allowance in Europe?"
QUICK_SECONDS = 5.0  # the local stages only, on a shared two-core machine


@contextmanager
def model_busy() -> Iterator[None]:
    """The process's local model writing someone else's answer until the block ends."""
    warm_local_models()  # a first request's model loading and training is not what is measured
    backend = LazyLocalBackend(local_llm_config())
    messages = [{"role": "user", "content": "Count slowly from one to two hundred."}]
    completion = backend.stream(messages, max_tokens=400, temperature=0.0)
    with closing(completion.chunks) as chunks:
        next(chunks)  # it has its turn now, and keeps it while paused here
        yield


def sdk(live_server, user) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=f"{live_server.url}/v1", api_key=api_token_create(user=user), max_retries=0, timeout=120
    )


@contextmanager
def chat_page(live_server, user) -> Iterator[tuple[httpx.Client, Conversation]]:
    """An HTTP client logged in as `user` on a new conversation's page, CSRF cookie set."""
    conversation = conversation_of(user)
    browser = Client()
    browser.force_login(user)
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        http.cookies.set("sessionid", browser.cookies["sessionid"].value)
        http.get(f"/chat/c/{conversation.pk}/").raise_for_status()  # sets the CSRF cookie
        yield http, conversation


def ask_on_page(http: httpx.Client, conversation: Conversation, question: str) -> httpx.Response:
    return http.post(
        f"/chat/c/{conversation.pk}/ask/",
        data={"question": question},
        headers={"X-CSRFToken": http.cookies["csrftoken"]},
    )


def streamed(client: openai.OpenAI, question: str) -> dict:
    """What one streaming client saw, and how long it took."""
    started = time.monotonic()
    chunks = list(
        client.chat.completions.create(
            model="hybrid-kb", messages=[{"role": "user", "content": question}], stream=True
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return {"text": text, "kb": chunks[0].model_extra["kb"], "seconds": time.monotonic() - started}


def busy_records() -> list[AuditRecord]:
    return [
        r
        for r in AuditRecord.objects.filter(kind="request", failed=False)
        if "local_busy" in r.detail["reason_codes"]
    ]


def test_beyond_the_bound_api_clients_get_the_quoted_passages_at_once(live_server, handbook, alice, settings):
    settings.LOCAL_LLM_QUEUE, settings.LOCAL_LLM_QUEUE_WAIT_SECONDS = 1, 60
    client = sdk(live_server, alice)
    results: list[dict] = []

    def ask() -> None:
        results.append(streamed(client, MODEL_QUESTION))

    with model_busy():
        threads = [threading.Thread(target=ask) for _ in range(3)]
        for thread in threads:
            thread.start()
        # Two of three find the one place in line taken; the third waits there.
        deadline = time.monotonic() + 60
        while len(results) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        quick = list(results)
    for thread in threads:
        thread.join(120)

    assert len(quick) == 2 and len(results) == 3
    for seen in quick:
        assert seen["seconds"] < QUICK_SECONDS and "25" in seen["text"] and "[1]" in seen["text"]
        assert seen["kb"]["route"] == "local"
    assert len(busy_records()) == 2


def test_a_non_streaming_client_gets_the_quotes_the_same_way(live_server, handbook, alice, settings):
    settings.LOCAL_LLM_QUEUE = 0
    with model_busy():
        completion = sdk(live_server, alice).chat.completions.create(
            model="hybrid-kb", messages=[{"role": "user", "content": MODEL_QUESTION}]
        )
    assert "25" in completion.choices[0].message.content
    assert any("quoted instead" in reason for reason in completion.model_extra["kb"]["reasons"])


def test_answers_that_need_no_model_come_while_it_is_busy(live_server, handbook, alice, settings):
    settings.LOCAL_LLM_QUEUE = 0
    with model_busy():
        seen = streamed(sdk(live_server, alice), QUOTED_QUESTION)
    assert "25 days" in seen["text"] and seen["seconds"] < QUICK_SECONDS
    assert busy_records() == [], "a two-part question never asks the model"


def test_the_chat_page_answers_with_the_sources_while_the_model_is_busy(
    live_server, handbook, alice, settings
):
    settings.LOCAL_LLM_QUEUE = 0
    with chat_page(live_server, alice) as (http, conversation):
        started = time.monotonic()
        with model_busy():
            response = ask_on_page(http, conversation, MODEL_QUESTION)
        took = time.monotonic() - started

    events = set(re.findall(r"^event: (\w+)$", response.text, flags=re.MULTILINE))
    assert response.status_code == 200 and events == {"meta", "delta", "done"}
    assert f"/chat/citation/d{handbook['leave'].pk}-v" in response.text
    assert took < QUICK_SECONDS
    assert len(busy_records()) == 1


def test_past_the_answers_in_flight_a_question_is_refused_at_once_with_retry_after(
    live_server, handbook, alice, settings
):
    """The web tier's own bound (kb_assistant/shedding.py): one answer in flight allowed, held
    open by a wait for the busy model; the next question over the API and on the chat page is
    refused with 503 and Retry-After, saves nothing, and is answered once the first is done."""
    settings.WEB_ANSWERS_IN_FLIGHT, settings.WEB_RETRY_AFTER_SECONDS = 1, 3
    settings.LOCAL_LLM_QUEUE, settings.LOCAL_LLM_QUEUE_WAIT_SECONDS = 1, 60
    client = sdk(live_server, alice)
    first: list[dict] = []
    with chat_page(live_server, alice) as (http, conversation):
        with model_busy():
            holder = threading.Thread(target=lambda: first.append(streamed(client, MODEL_QUESTION)))
            holder.start()
            time.sleep(2)  # the first answer waits in the model's line, holding its slot
            with pytest.raises(openai.InternalServerError) as refused:
                client.chat.completions.create(
                    model="hybrid-kb", messages=[{"role": "user", "content": QUOTED_QUESTION}]
                )
            page = ask_on_page(http, conversation, QUOTED_QUESTION)
        holder.join(120)

    assert refused.value.status_code == 503 and refused.value.response.headers["retry-after"] == "3"
    assert page.status_code == 503 and page.headers["retry-after"] == "3"
    assert "3 seconds" in page.json()["message"]
    assert not conversation.messages.exists(), "a refused question is not saved"
    assert first and "25" in first[0]["text"]
    assert "25 days" in streamed(client, QUOTED_QUESTION)["text"]  # the slot came back
