"""Stop keeps the answer as the page showed it: the page posts what it showed, and whichever
of its Stop and the stream's own save comes second keeps that text. Real pipeline, index and
models through Django's test client."""

import json
from collections.abc import Iterator

import pytest
from django.urls import reverse

from kb_assistant.chat.models import Message
from tests.chat.conftest import conversation_of
from tests.chat.test_views import logged_in

pytestmark = pytest.mark.django_db

QUESTION = "How many days of annual leave does every employee receive?"


def events(response) -> Iterator[tuple[str, dict]]:
    """The events of a streamed response, read one at a time as a page would."""
    buffer = ""
    for piece in response.streaming_content:
        buffer += piece.decode()
        while "\n\n" in buffer:
            block, buffer = buffer.split("\n\n", 1)
            fields = dict(line.split(": ", 1) for line in block.split("\n"))
            yield fields["event"], json.loads(fields["data"])


def ask(client, conversation):
    return client.post(reverse("chat:ask", args=[conversation.pk]), {"question": QUESTION})


def stop(client, conversation, request_id: str, shown: str):
    response = client.post(
        reverse("chat:stop", args=[conversation.pk]), {"request_id": request_id, "shown": shown}
    )
    assert response.status_code == 200
    return response


def the_answer(conversation) -> Message:
    return Message.objects.get(conversation=conversation, role="assistant")


def test_a_stop_before_the_server_noticed_keeps_what_was_shown(client, alice, handbook):
    conversation = conversation_of(alice)
    stream = events(ask(logged_in(client, alice), conversation))
    request_id, shown = "", ""
    for name, data in stream:
        if name == "meta":
            request_id = data["request_id"]
        elif name == "delta":
            shown += data["text"]
            break
    stop(client, conversation, request_id, shown)
    rest = "".join(data.get("text", "") for name, data in stream if name == "delta")

    answer = the_answer(conversation)
    assert rest, "the server went on writing after the page stopped"
    assert answer.text == shown and answer.meta["stopped"] is True
    assert answer.meta["route_card"], "the stream's own save still completes the record"


def test_a_stop_after_the_answer_was_saved_cuts_it_to_what_was_shown(client, alice, handbook):
    conversation = conversation_of(alice)
    written = list(events(ask(logged_in(client, alice), conversation)))
    request_id = next(data["request_id"] for name, data in written if name == "meta")
    full = the_answer(conversation).text

    stop(client, conversation, request_id, full[:40])

    answer = the_answer(conversation)
    assert answer.text == full[:40] and answer.meta["stopped"] is True


def test_a_shown_text_the_answer_never_had_is_ignored(client, alice, handbook):
    conversation = conversation_of(alice)
    written = list(events(ask(logged_in(client, alice), conversation)))
    request_id = next(data["request_id"] for name, data in written if name == "meta")
    full = the_answer(conversation).text

    stop(client, conversation, request_id, "The CEO approves every trip.")

    assert the_answer(conversation).text == full


def test_nobody_else_can_stop_my_answer(client, alice, bob, handbook):
    conversation = conversation_of(alice)
    response = logged_in(client, bob).post(
        reverse("chat:stop", args=[conversation.pk]), {"request_id": "a" * 32, "shown": "x"}
    )
    assert response.status_code == 404
    assert not Message.objects.filter(conversation=conversation).exists()
