"""The chat pages through Django's test client, against the real pipeline, index and models.

Permission stories first: a user only ever reaches their own conversations, whatever URL
they try, and a citation only opens when they may read the document."""

import json
import re

import pytest
from django.urls import reverse

from kb_assistant.accounts.authentication import token_user
from kb_assistant.accounts.models import ApiToken
from kb_assistant.chat.models import Conversation, Message
from kb_assistant.chat.services import conversation_ask
from router.events import Failed, Meta
from tests.chat.conftest import conversation_of
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def logged_in(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def sse(response) -> list[tuple[str, dict]]:
    """The events of a streamed response, in order."""
    body = b"".join(response.streaming_content).decode()
    events = []
    for block in filter(None, body.split("\n\n")):
        fields = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def an_answer(conversation, text="25 days.") -> Message:
    return Message.objects.create(
        conversation=conversation, role="assistant", text=text, request_id="a" * 32, route="local"
    )


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(reverse("chat:index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_list_shows_only_my_own_conversations(client, alice, bob):
    conversation_of(alice)
    conversation_of(bob)

    page = logged_in(client, alice).get(reverse("chat:index")).content.decode()

    assert "alice&#x27;s questions" in page and "bob&#x27;s questions" not in page


@pytest.mark.parametrize(
    ("method", "url_name", "data"),
    [
        ("get", "chat:conversation", {}),
        ("post", "chat:ask", {"question": "How many days of leave?"}),
        ("post", "chat:rename", {"title": "mine now"}),
        ("post", "chat:delete", {}),
    ],
)
def test_every_conversation_url_is_404_for_another_employee(client, alice, bob, method, url_name, data):
    conversation = conversation_of(alice)

    response = getattr(logged_in(client, bob), method)(reverse(url_name, args=[conversation.pk]), data)

    assert response.status_code == 404
    conversation.refresh_from_db()
    assert conversation.title == "alice's questions" and not conversation.messages.exists()


def test_feedback_on_someone_elses_answer_is_404(client, alice, bob):
    answer = an_answer(conversation_of(alice))

    response = logged_in(client, bob).post(reverse("chat:feedback", args=[answer.pk]), {"rating": "1"})

    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.rating is None


def test_a_conversation_is_created_renamed_and_deleted(client, alice):
    client = logged_in(client, alice)
    response = client.post(reverse("chat:new"))
    conversation = alice.conversations.get()
    assert response["Location"] == reverse("chat:conversation", args=[conversation.pk])

    client.post(reverse("chat:rename", args=[conversation.pk]), {"title": "  Leave questions  "})
    conversation.refresh_from_db()
    assert conversation.title == "Leave questions"

    client.post(reverse("chat:delete", args=[conversation.pk]))
    assert not alice.conversations.exists()


def test_the_page_follows_the_browsers_language(client, alice):
    conversation = conversation_of(alice)
    client = logged_in(client, alice)
    url = reverse("chat:conversation", args=[conversation.pk])

    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert "新对话" in chinese and "提问" in chinese
    assert "New conversation" in english and "新对话" not in english


def test_the_pages_forbid_inline_and_foreign_scripts(client, alice):
    response = logged_in(client, alice).get(reverse("chat:index"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_a_citation_opens_only_for_someone_who_may_read_the_document(client, handbook, alice, bob):
    from ingestion.store import index_chunks

    chunk = index_chunks(document_id=handbook["salaries"].pk)[0]
    url = reverse("chat:citation", args=[chunk.chunk_id])

    assert logged_in(client, alice).get(url).status_code == 200
    assert "52,000" in client.get(url).content.decode()
    assert logged_in(client, bob).get(url).status_code == 404


def test_a_whole_document_opens_only_for_someone_who_may_read_it(client, handbook, alice, bob):
    url = reverse("chat:document", args=[handbook["salaries"].pk])

    assert "52,000" in logged_in(client, alice).get(url).content.decode()
    assert logged_in(client, bob).get(url).status_code == 404


def test_a_citation_links_back_only_to_its_readers_own_answer(client, handbook, alice, bob):
    from ingestion.store import index_chunks

    chunk = index_chunks(document_id=handbook["leave"].pk)[0]
    answer = conversation_of(alice).messages.create(role="assistant", request_id="r-alice", text="Yes [1].")
    url = reverse("chat:citation", args=[chunk.chunk_id]) + "?answer=r-alice"
    back = f"/chat/c/{answer.conversation_id}/#answer-{answer.pk}"

    assert back in logged_in(client, alice).get(url).content.decode()
    assert back not in logged_in(client, bob).get(url).content.decode()


def test_a_citation_of_an_unknown_or_replaced_passage_is_404(client, handbook, alice):
    document = handbook["leave"]
    url = reverse("chat:citation", args=[f"d{document.pk}-v{document.indexed_version + 1}-c0"])
    assert logged_in(client, alice).get(url).status_code == 404


def test_asking_streams_the_answer_and_keeps_it(client, handbook, alice):
    conversation = Conversation.objects.create(owner=alice)  # untitled: the first question names it

    response = logged_in(client, alice).post(
        reverse("chat:ask", args=[conversation.pk]), {"question": "How many days of annual leave do I get?"}
    )

    assert response["Content-Type"].startswith("text/event-stream")
    events = sse(response)
    names = [name for name, _ in events]
    assert names[0] == "meta" and names[-1] == "done" and "delta" in names
    assert "leave.md" in events[0][1]["citations_html"] or "Leave policy" in events[0][1]["citations_html"]
    answer = conversation.messages.get(role="assistant")
    assert "25" in answer.text and answer.route == "local"
    card = answer.meta["route_card"]
    assert card["cloud_used"] is False and card["reasons"] and card["stages"]
    assert f'id="answer-{answer.pk}"' in events[-1][1]["html"]
    conversation.refresh_from_db()
    assert conversation.title == "How many days of annual leave do I get?"


def test_a_follow_up_uses_the_conversation_and_keeps_its_placeholders(handbook, alice, cloud):
    from router.protect import PlaceholderMap

    conversation = conversation_of(alice)
    list(conversation_ask(conversation=conversation, question="Who answers questions about leave?"))
    list(
        conversation_ask(
            conversation=conversation,
            question="Compare her role for leave with the approval rules for trips abroad, and explain why?",
        )
    )

    conversation.refresh_from_db()
    assert conversation.placeholder_map, "the names met in this conversation keep their placeholders"
    assert PlaceholderMap.from_dict(conversation.placeholder_map).to_dict() == conversation.placeholder_map
    sent = json.dumps(cloud.requests, ensure_ascii=False)
    assert cloud.requests, "the comparison question should have gone to the cloud"
    assert "Who answers questions about leave?" in sent  # the history travelled with it
    assert "Maria Gonzalez" not in sent and "maria.gonzalez@" not in sent
    assert conversation.messages.filter(role="assistant").count() == 2


def test_a_stopped_answer_is_kept_as_far_as_it_got_and_still_audited(handbook, alice):
    conversation = conversation_of(alice)
    events = conversation_ask(conversation=conversation, question="How many days of annual leave do I get?")
    assert isinstance(next(events), Meta)

    events.close()  # what the server does when the browser aborts the stream

    answer = conversation.messages.get(role="assistant")
    assert answer.meta["stopped"] is True and answer.request_id
    assert answer.meta["citations"]


def test_deleting_a_conversation_while_it_answers_ends_the_stream_cleanly(handbook, alice):
    from kb_assistant.audit.models import AuditRecord

    conversation = conversation_of(alice)
    events = conversation_ask(conversation=conversation, question="How many days of annual leave do I get?")
    assert isinstance(next(events), Meta)
    Conversation.objects.filter(pk=conversation.pk).delete()  # from another tab

    rest = list(events)

    assert isinstance(rest[-1], Failed) and "deleted" in rest[-1].message
    assert not Message.objects.filter(conversation_id=conversation.pk).exists()
    assert AuditRecord.objects.filter(kind="request", user_id=alice.pk).count() == 1, (
        "the request is on record all the same"
    )


def test_thumbs_down_with_a_comment_is_kept_with_the_request(client, alice):
    answer = an_answer(conversation_of(alice))

    response = logged_in(client, alice).post(
        reverse("chat:feedback", args=[answer.pk]), {"rating": "-1", "comment": "Out of date"}
    )

    assert response.status_code == 200 and response.json() == {"rating": -1}
    answer.refresh_from_db()
    assert answer.rating == -1


def test_a_rating_other_than_up_or_down_is_refused(client, alice):
    answer = an_answer(conversation_of(alice))
    response = logged_in(client, alice).post(reverse("chat:feedback", args=[answer.pk]), {"rating": "5"})
    assert response.status_code == 400


def test_the_settings_page_shows_a_new_token_once_and_revokes_it(client, alice):
    client = logged_in(client, alice)

    page = client.post(reverse("chat:settings"), {"name": "laptop"}).content.decode()
    raw = re.search(r'data-testid="new-token">(kb_[^<]+)<', page)[1]
    token = ApiToken.objects.get(user=alice)
    assert token_user(raw) == alice and raw.startswith(token.hint)
    later = client.get(reverse("chat:settings")).content.decode()
    assert token.hint in later and raw not in later

    client.post(reverse("chat:token_revoke", args=[token.pk]))
    assert not ApiToken.objects.filter(user=alice).exists()


def test_one_cannot_revoke_someone_elses_token(client, alice, bob):
    from kb_assistant.accounts.models import api_token_create

    api_token_create(user=bob)
    token = ApiToken.objects.get(user=bob)
    logged_in(client, alice).post(reverse("chat:token_revoke", args=[token.pk]))
    assert ApiToken.objects.filter(pk=token.pk).exists()
