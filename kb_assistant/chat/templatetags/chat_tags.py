from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from kb_assistant import labels
from kb_assistant.chat.citing import cited_only
from kb_assistant.chat.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    """Answer text as HTML; safe because render_markdown sanitises with nh3."""
    return mark_safe(render_markdown(text))  # noqa: S308 - sanitised just above


@register.filter
def reasons(card: dict[str, Any]) -> list[tuple[str, str]]:
    """(words for the code, the recorded English detail) per routing reason (kb_assistant.labels)."""
    return labels.reason_rows(card)


@register.filter
def cited_in(citations: list[dict[str, Any]] | None, answer: str) -> list[dict[str, Any]]:
    """Only the sources the answer marks (kb_assistant/chat/citing.py)."""
    return cited_only(citations or [], answer)
