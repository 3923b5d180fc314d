"""`{{ code|label:"kind" }}`: the reader's words for a stored code (kb_assistant.labels)."""

from django import template

from kb_assistant import labels

register = template.Library()


@register.filter
def label(code: object, vocabulary: str) -> str:
    return labels.label(vocabulary, code)


@register.filter
def labels_of(codes, vocabulary: str) -> list[str]:
    """Each code of a list, in words: readers lists, compliance kinds."""
    return [labels.label(vocabulary, code) for code in codes or ()]
