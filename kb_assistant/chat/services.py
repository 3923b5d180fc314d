"""Writes for the chat: conversations, their messages, feedback, and asking a question."""

from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kb_assistant.accounts.models import ApiToken
from kb_assistant.chat.models import Conversation, Message, Role
from kb_assistant.chat.routecard import route_card
from kb_assistant.chat.selectors import conversation_history
from router import pipeline
from router.events import Delta, Done, Event, Failed, Meta, Notice
from router.protect import PlaceholderMap
from router.trace import Trace

TITLE_CHARS = 60
QUESTION_MAX_CHARS = 4000
RATINGS = (1, -1)
CONVERSATION_GONE = _("This conversation was deleted while the answer was being written.")


def conversation_create(*, owner) -> Conversation:
    """An untitled conversation; its first question names it."""
    return Conversation.objects.create(owner=owner)


def conversation_rename(*, conversation: Conversation, title: str) -> Conversation:
    conversation.title = title.strip()[: Conversation._meta.get_field("title").max_length]
    conversation.save(update_fields=["title", "updated_at"])
    return conversation


def conversation_delete(*, conversation: Conversation) -> None:
    conversation.delete()


@dataclass
class _Answer:
    """What the pipeline has said so far, so a stopped answer can be kept as it was shown."""

    request_id: str = ""
    route: str = ""
    meta: dict[str, Any] = field(default_factory=lambda: {"citations": [], "notices": []})
    text: str = ""

    def collect(self, event: Event) -> None:
        match event:
            case Meta():
                self.request_id, self.route = event.request_id, event.route
                self.meta.update(citations=event.citations, reasons=event.reasons, intent=event.intent)
            case Delta():
                self.text += event.text
            case Notice():
                self.meta["notices"].append(event.text)
            case Failed():
                self.meta["error"] = event.message

    def finish(self, trace: Trace) -> None:
        self.text, self.route = trace.answer, trace.route or self.route
        self.meta["route_card"] = route_card(trace)


@dataclass(frozen=True)
class Saved:
    """The answer as kept in the conversation: the chat's last event, in place of Done."""

    message: Message


def conversation_ask(*, conversation: Conversation, question: str) -> Iterator[Event | Saved]:
    """Ask in a conversation: the pipeline's events, with Saved carrying the saved answer.

    Follow-ups carry the recent turns, and the conversation's own placeholder map keeps
    pseudonyms stable from turn to turn. When the consumer stops early (the user pressed
    stop, the connection dropped) the answer is saved as far as it got, marked stopped,
    and closing the pipeline still writes its audit record.
    """
    history = conversation_history(conversation=conversation)
    message_create(conversation=conversation, role=Role.USER, text=question)
    if not conversation.title:
        conversation_rename(conversation=conversation, title=_title_from(question))
    mapping = PlaceholderMap.from_dict(conversation.placeholder_map)
    request = pipeline.AskRequest(
        question=question, user=conversation.owner, channel="chat", history=history, mapping=mapping
    )
    answer, saved = _Answer(), None
    with closing(pipeline.run(request)) as events:
        try:
            for event in events:
                if isinstance(event, Done):
                    answer.finish(event.trace)
                    saved = _answer_save(conversation=conversation, answer=answer, mapping=mapping)
                    yield Failed(str(CONVERSATION_GONE)) if saved is None else Saved(saved)
                else:
                    answer.collect(event)
                    yield event
        except GeneratorExit:
            if saved is None:
                answer.meta["stopped"] = True
                _answer_save(conversation=conversation, answer=answer, mapping=mapping)
            raise


def message_create(*, conversation: Conversation, role: str, text: str, **fields: Any) -> Message:
    return Message.objects.create(conversation=conversation, role=role, text=text, **fields)


@transaction.atomic
def _answer_save(*, conversation: Conversation, answer: _Answer, mapping: PlaceholderMap) -> Message | None:
    """None when the conversation was deleted (another tab) while the answer was written:
    there is nowhere to keep it, and the request's audit record holds it anyway. When the
    user's Stop was saved first, the answer keeps the text they saw."""
    conversation.placeholder_map = mapping.to_dict()
    conversation.updated_at = timezone.now()
    kept = Conversation.objects.filter(pk=conversation.pk).update(
        placeholder_map=conversation.placeholder_map, updated_at=conversation.updated_at
    )
    if not kept:
        return None
    fields = {"text": answer.text, "route": answer.route, "meta": answer.meta}
    if not answer.request_id:  # stopped before the pipeline named the request
        return message_create(conversation=conversation, role=Role.ASSISTANT, **fields)
    message, created = Message.objects.get_or_create(
        conversation=conversation, role=Role.ASSISTANT, request_id=answer.request_id, defaults=fields
    )
    if not created:
        message.text = _as_shown(answer.text, message.text)
        message.route, message.meta = answer.route, {**answer.meta, "stopped": True}
        message.save(update_fields=["text", "route", "meta"])
    return message


@transaction.atomic
def answer_stop(*, conversation: Conversation, request_id: str, shown: str) -> Message:
    """The user pressed Stop having read `shown`: the answer is kept as it was on their
    screen, not as far as the server got before it noticed. Whichever of this and the
    stream's own save comes second keeps the shorter text."""
    message, created = Message.objects.get_or_create(
        conversation=conversation,
        role=Role.ASSISTANT,
        request_id=request_id,
        defaults={"text": shown, "meta": {"citations": [], "notices": [], "stopped": True}},
    )
    if not created:
        message.text = _as_shown(message.text, shown)
        message.meta = {**message.meta, "stopped": True}
        message.save(update_fields=["text", "meta"])
    return message


def _as_shown(answer: str, shown: str) -> str:
    """What was shown, when it is how the answer begins; a text the answer never had is
    ignored (the page cannot make the assistant say something it did not)."""
    return shown if answer.startswith(shown) else answer


def _title_from(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1].rstrip() + "…"


def message_feedback(*, message: Message, rating: int, comment: str = "") -> Message:
    """Thumbs up or down on an answer, recorded with its request for the auditors' review."""
    from kb_assistant.audit.services import feedback_record

    if rating not in RATINGS:
        raise ValueError("rating must be 1 or -1")
    if not message.request_id:
        raise ValueError("this answer was stopped before the request was recorded")
    feedback_record(
        request_id=message.request_id, user=message.conversation.owner, rating=rating, comment=comment.strip()
    )
    message.rating = rating
    message.save(update_fields=["rating"])
    return message


def api_token_revoke(*, user, pk: int) -> bool:
    """Revoke one of the user's own tokens; False if it was not theirs or already gone."""
    deleted, _by_model = ApiToken.objects.filter(user=user, pk=pk).delete()
    return bool(deleted)
