"""Reads for the chat. Every one that takes an id filters by the owner first, so another
user's conversation answers 404 exactly like a missing one: existence never leaks."""

import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from ingestion.models import Document
from ingestion.selectors import readable_documents
from ingestion.store import IndexedChunk, index_chunks
from kb_assistant.accounts.models import ApiToken
from kb_assistant.chat.history import Turn, history_window
from kb_assistant.chat.models import Conversation, Message, Role

_CHUNK_ID = re.compile(r"d(?P<document>\d+)-v(?P<version>\d+)-c\d+")  # ingestion.store.chunk_id


@dataclass(frozen=True)
class CitedPassage:
    document: Document
    chunk: IndexedChunk

    @property
    def title(self) -> str:
        """The title the parser found, as the sources list shows it; the upload's name otherwise."""
        return self.chunk.metadata.get("title") or self.document.title


@dataclass(frozen=True)
class ReadableDocument:
    """A document the user may read, with its indexed chunks in reading order."""

    document: Document
    chunks: list[IndexedChunk]

    @property
    def title(self) -> str:
        return next(
            (c.metadata["title"] for c in self.chunks if c.metadata.get("title")), self.document.title
        )


def conversation_list(*, owner) -> QuerySet[Conversation]:
    return Conversation.objects.filter(owner=owner)


def conversation_get(*, owner, pk: int) -> Conversation:
    try:
        return conversation_list(owner=owner).get(pk=pk)
    except Conversation.DoesNotExist as exc:
        raise Http404("No such conversation.") from exc


def message_list(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.all()


def message_get_answer(*, owner, pk: int) -> Message:
    """One of the owner's answers (feedback is only ever about an answer)."""
    try:
        return Message.objects.get(pk=pk, role=Role.ASSISTANT, conversation__owner=owner)
    except Message.DoesNotExist as exc:
        raise Http404("No such answer.") from exc


def answer_by_request(*, owner, request_id: str) -> Message | None:
    """The owner's answer to this request, if there is one (a citation links back to it)."""
    if not request_id:
        return None
    return Message.objects.filter(
        role=Role.ASSISTANT, request_id=request_id, conversation__owner=owner
    ).first()


def conversation_history(*, conversation: Conversation) -> list[Turn]:
    """The recent turns a follow-up carries; stopped or failed answers included as shown."""
    turns = conversation.messages.order_by("-created_at", "-pk").values_list("role", "text")[:12]
    return history_window([(role, text) for role, text in reversed(turns) if text])


def citation_passage(*, user, chunk_id: str) -> CitedPassage:
    """The cited chunk, if the user may read its document and that version is still indexed."""
    match = _CHUNK_ID.fullmatch(chunk_id)
    if match is None:
        raise Http404("No such passage.")
    document = document_readable(user=user, pk=int(match["document"]))
    chunks = index_chunks(document_id=document.pk, version=int(match["version"]))
    chunk = next((c for c in chunks if c.chunk_id == chunk_id), None)
    if chunk is None:
        raise Http404("That passage is no longer in the knowledge base.")
    return CitedPassage(document=document, chunk=chunk)


def document_readable(*, user, pk: int) -> Document:
    document = readable_documents(user=user).filter(pk=pk).first()
    if document is None:
        raise Http404("No such document.")
    return document


def document_text(*, user, pk: int) -> ReadableDocument:
    """The whole indexed version of a document the user may read (404 before it is indexed)."""
    document = document_readable(user=user, pk=pk)
    if document.indexed_version is None:
        raise Http404("That document is not in the knowledge base yet.")
    return ReadableDocument(document, index_chunks(document_id=pk, version=document.indexed_version))


def api_token_list(*, user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")
