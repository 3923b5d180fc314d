"""Under load the web tier bounds its local-model queue: over real HTTP against the running
app, with the real small model. Another user's answer is simulated by a real generation that
holds the model (the live server shares this process, and so the model and its queue)."""

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
from router.backends import LazyLocalBackend
from router.config import local_llm_config
from router.warm import warm_local_models
from tests.chat.conftest import conversation_of

pytestmark = pytest.mark.django_db(transaction=True)

# One part, English, a short context: the local route asks the model for this one.
MODEL_QUESTION = "How many days of annual leave do I get?"
# Two parts: the local route quotes the passages for each without asking the model.
QUOTED_QUESTION = "How many days of annual leave do I get, and what is the daily allowance in Europe?"
QUICK_SECONDS = 5.0  # a refusal costs the local stages only, on a shared two-core machine


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


def streamed(client: openai.OpenAI, question: str) -> dict:
    """What one streaming client saw: the answer, or the refusal, and how long it took."""
    started = time.monotonic()
    try:
        chunks = list(
            client.chat.completions.create(
                model="hybrid-kb", messages=[{"role": "user", "content": question}], stream=True
            )
        )
    except openai.APIStatusError as error:
        return {
            "status": error.status_code,
            "headers": error.response.headers,
            "seconds": time.monotonic() - started,
        }
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    return {
        "status": 200,
        "text": text,
        "kb": chunks[0].model_extra["kb"],
        "seconds": time.monotonic() - started,
    }


def refused_records() -> list[AuditRecord]:
    return [
        r
        for r in AuditRecord.objects.filter(kind="request", failed=True)
        if "local_busy" in r.detail["reason_codes"]
    ]


def test_beyond_the_bound_api_clients_get_503_with_retry_after_at_once_and_the_others_answer(
    live_server, handbook, alice, settings
):
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
        refused = list(results)
    for thread in threads:
        thread.join(120)

    assert [r["status"] for r in refused] == [503, 503]
    for refusal in refused:
        assert refusal["seconds"] < QUICK_SECONDS
        assert int(refusal["headers"]["retry-after"]) >= 1
    answered = [r for r in results if r["status"] == 200]
    assert len(answered) == 1 and answered[0]["text"].strip() and answered[0]["kb"]["route"] == "local"
    assert len(refused_records()) == 2


def test_a_non_streaming_client_is_refused_the_same_way(live_server, handbook, alice, settings):
    settings.LOCAL_LLM_QUEUE = 0
    with model_busy(), pytest.raises(openai.APIStatusError) as refused:
        sdk(live_server, alice).chat.completions.create(
            model="hybrid-kb", messages=[{"role": "user", "content": MODEL_QUESTION}]
        )
    assert refused.value.status_code == 503 and refused.value.response.headers["retry-after"]
    assert refused.value.body["code"] == "overloaded" and "retry in" in refused.value.body["message"]


def test_answers_that_need_no_model_come_while_it_is_busy(live_server, handbook, alice, settings):
    settings.LOCAL_LLM_QUEUE = 0
    with model_busy():
        seen = streamed(sdk(live_server, alice), QUOTED_QUESTION)
    assert seen["status"] == 200 and "25 days" in seen["text"] and seen["seconds"] < QUICK_SECONDS


def test_the_chat_page_says_busy_and_when_to_retry_after_showing_the_sources(
    live_server, handbook, alice, settings
):
    settings.LOCAL_LLM_QUEUE = 0
    conversation = conversation_of(alice)
    browser = Client()
    browser.force_login(alice)
    with httpx.Client(base_url=live_server.url, timeout=60) as http:
        http.cookies.set("sessionid", browser.cookies["sessionid"].value)
        http.get(f"/chat/c/{conversation.pk}/").raise_for_status()  # sets the CSRF cookie
        started = time.monotonic()
        with model_busy():
            response = http.post(
                f"/chat/c/{conversation.pk}/ask/",
                data={"question": MODEL_QUESTION},
                headers={"X-CSRFToken": http.cookies["csrftoken"]},
            )
        took = time.monotonic() - started

    events = re.findall(r"^event: (\w+)$", response.text, flags=re.MULTILINE)
    assert response.status_code == 200 and events == ["meta", "error", "done"]
    assert (
        f"/chat/citation/d{handbook['leave'].pk}-v" in response.text
    )  # the cited passage, before the refusal
    assert re.search(r"busy with other questions; please retry in \d+ s", response.text)
    assert took < QUICK_SECONDS
    assert len(refused_records()) == 1
