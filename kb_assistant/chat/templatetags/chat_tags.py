from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from kb_assistant.chat.citing import cited_only
from kb_assistant.chat.rendering import render_markdown

register = template.Library()

STAGE_LABELS = {
    "resolve": _("resolve"),
    "intent": _("intent"),
    "retrieve": _("retrieve"),
    "condense": _("condense"),
    "protect": _("protect"),
    "route": _("route"),
    "generate": _("generate"),
    "postprocess": _("post-process"),
}


@register.filter
def markdown(text: str) -> SafeString:
    """Answer text as HTML; safe because render_markdown sanitises with nh3."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised just above


@register.filter
def stage_label(name: str) -> str:
    return STAGE_LABELS.get(name, name)


@register.filter
def cited_in(citations: list[dict[str, Any]] | None, answer: str) -> list[dict[str, Any]]:
    """Only the sources the answer marks (kb_assistant/chat/citing.py)."""
    return cited_only(citations or [], answer)
