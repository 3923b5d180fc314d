"""The chat pages. Thin: each view checks the request, calls one selector or service and
renders. Every URL with an id goes through an owner-filtered selector (404 otherwise)."""

from collections.abc import Iterator

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from kb_assistant.accounts.models import api_token_create
from kb_assistant.chat.forms import FeedbackForm, QuestionForm, RenameForm, StopForm, TokenForm
from kb_assistant.chat.models import Conversation
from kb_assistant.chat.passages import answer_quotes, document_sections, page_of, reading_paragraphs
from kb_assistant.chat.selectors import (
    answer_by_request,
    api_token_list,
    citation_passage,
    conversation_get,
    conversation_list,
    document_text,
    message_get_answer,
    message_list,
)
from kb_assistant.chat.services import (
    Saved,
    answer_stop,
    api_token_revoke,
    conversation_ask,
    conversation_create,
    conversation_delete,
    conversation_rename,
    message_feedback,
)
from kb_assistant.chat.sse import sse_event, sse_response
from kb_assistant.security import strict_csp
from kb_assistant.shedding import HeldStream, answer_slot
from router.events import Delta, Event, Failed, Meta, Notice


def _js_labels() -> dict[str, str]:
    """The few labels the script shows, translated here so the script needs no catalogue."""
    return {
        "thinking": _("Searching the knowledge base…"),
        "stopped": _("Stopped: the answer was cut here."),
        "failed": _("The answer could not be completed. Please try again."),
        "confirmDelete": _("Delete this conversation and all its messages?"),
        "thanks": _("Thanks, your feedback was recorded."),
    }


def _page(request: HttpRequest, conversation=None) -> HttpResponse:
    context = {
        "conversations": conversation_list(owner=request.user),
        "conversation": conversation,
        "messages_list": message_list(conversation=conversation) if conversation else [],
        "rename_form": RenameForm(initial={"title": conversation.title}) if conversation else None,
        "labels": _js_labels(),
    }
    return render(request, "chat/page.html", context)


@login_required
@strict_csp
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


@login_required
@require_POST
def conversation_new(request: HttpRequest) -> HttpResponse:
    conversation = conversation_create(owner=request.user)
    return redirect("chat:conversation", pk=conversation.pk)


@login_required
@strict_csp
@require_GET
def conversation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, conversation_get(owner=request.user, pk=pk))


@login_required
@require_POST
def conversation_ask_view(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_get(owner=request.user, pk=pk)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    slot = answer_slot()
    if slot is None:  # nothing is saved: the question can simply be asked again
        wait = settings.WEB_RETRY_AFTER_SECONDS
        message = ngettext(
            "Many answers are being written right now; please ask again in %(n)d second.",
            "Many answers are being written right now; please ask again in %(n)d seconds.",
            wait,
        ) % {"n": wait}
        response = JsonResponse({"message": message}, status=503)
        response["Retry-After"] = str(wait)
        return response
    try:
        events = conversation_ask(conversation=conversation, question=form.cleaned_data["question"])
    except BaseException:
        slot.release()
        raise
    return sse_response(HeldStream(_chat_events(request, conversation, events), slot))


def _chat_events(
    request: HttpRequest, conversation: Conversation, events: Iterator[Event | Saved]
) -> Iterator[bytes]:
    """The pipeline's events for the page; citations and the finished answer arrive as HTML
    rendered here (escaped by templates, answer sanitised), so the script never builds
    markup from untrusted text. Meta carries the conversation's title, which the first
    question has just set, so the page shows it without a reload."""
    # The stream is iterated after the view returned; keep the request's language for it.
    with translation.override(request.LANGUAGE_CODE):
        for event in events:
            match event:
                case Meta():
                    # Every candidate source, hidden: the script shows each once the answer cites it.
                    context = {"citations": event.citations, "request_id": event.request_id, "live": True}
                    html = render_to_string("chat/_citations.html", context, request)
                    data = {
                        "request_id": event.request_id,
                        "route": event.route,
                        "citations_html": html,
                        "title": conversation.title,
                    }
                    yield sse_event(data, event="meta")
                case Saved():
                    html = render_to_string("chat/_answer.html", {"message": event.message}, request)
                    yield sse_event({"html": html}, event="done")
                case Delta() | Notice():
                    yield sse_event(
                        {"text": event.text}, event="delta" if isinstance(event, Delta) else "notice"
                    )
                case Failed():
                    yield sse_event({"message": event.message}, event="error")


@login_required
@require_POST
def answer_stop_view(request: HttpRequest, pk: int) -> JsonResponse:
    conversation = conversation_get(owner=request.user, pk=pk)
    form = StopForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    message = answer_stop(conversation=conversation, **form.cleaned_data)
    return JsonResponse({"kept_chars": len(message.text)})


@login_required
@require_POST
def conversation_rename_view(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_get(owner=request.user, pk=pk)
    form = RenameForm(request.POST)
    if form.is_valid():
        conversation_rename(conversation=conversation, title=form.cleaned_data["title"])
    else:
        messages.error(request, _("A title needs between 1 and 120 characters."))
    return redirect("chat:conversation", pk=conversation.pk)


@login_required
@require_POST
def conversation_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    conversation_delete(conversation=conversation_get(owner=request.user, pk=pk))
    return redirect("chat:index")


@login_required
@require_POST
def message_feedback_view(request: HttpRequest, pk: int) -> JsonResponse:
    message = message_get_answer(owner=request.user, pk=pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors}, status=400)
    try:
        message_feedback(message=message, **form.cleaned_data)
    except ValueError as exc:
        return JsonResponse({"errors": {"__all__": [str(exc)]}}, status=400)
    return JsonResponse({"rating": message.rating})


@login_required
@strict_csp
@require_GET
def citation_detail(request: HttpRequest, chunk_id: str) -> HttpResponse:
    """The cited passage, with what the answer quoted from it marked and a way back to it."""
    passage = citation_passage(user=request.user, chunk_id=chunk_id)
    answer = answer_by_request(owner=request.user, request_id=request.GET.get("answer", ""))
    quotes = answer_quotes(answer.meta, chunk_id) if answer else []
    context = {
        "passage": passage,
        "answer": answer,
        "paragraphs": reading_paragraphs(passage.chunk.text, quotes),
        "page": page_of(passage.chunk),
    }
    return render(request, "chat/citation.html", context)


@login_required
@strict_csp
@require_GET
def document_read(request: HttpRequest, pk: int) -> HttpResponse:
    readable = document_text(user=request.user, pk=pk)
    context = {"readable": readable, "sections": document_sections(readable.chunks)}
    return render(request, "chat/document.html", context)


@login_required
@strict_csp
def settings_view(request: HttpRequest) -> HttpResponse:
    """API tokens: a new token is shown once, in this response, and only its hash is kept."""
    form = TokenForm(request.POST or None)
    new_token = ""
    if request.method == "POST" and form.is_valid():
        new_token = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {
        "form": form,
        "tokens": api_token_list(user=request.user),
        "new_token": new_token,
        "base_url": request.build_absolute_uri(reverse("openai:models").removesuffix("models")),
    }
    return render(request, "chat/settings.html", context)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    if api_token_revoke(user=request.user, pk=pk):
        messages.success(request, _("The token was revoked; clients using it are refused from now on."))
    return redirect("chat:settings")
