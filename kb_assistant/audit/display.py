"""A record's stored codes and fields, shaped for the detail page in the reader's language.

The record keeps exactly what was written (and hashed); only what is shown is translated.
"""

from typing import Any

from django.utils.translation import gettext as _

from kb_assistant.labels import label

# Event fields whose values are codes of a vocabulary.
_VALUE_VOCABULARIES = {
    "outcome": "outcome",
    "sensitivity_before": "sensitivity",
    "sensitivity_after": "sensitivity",
    "groups_before": "group",
    "groups_after": "group",
}


def event_rows(detail: dict[str, Any]) -> list[tuple[str, str]]:
    """(field, value) of an event record, both in words; lists joined, "every employee" for
    an empty readers list."""
    return [(label("field", key), _value(key, value)) for key, value in detail.items()]


def _value(key: str, value: Any) -> str:
    vocabulary = _VALUE_VOCABULARIES.get(key)
    if value is None or vocabulary is None:
        return "—" if value is None else str(value)
    if isinstance(value, list):
        return ", ".join(label(vocabulary, v) for v in value) or _("every employee")
    return label(vocabulary, value)


def withheld_by_access(trace: dict[str, Any]) -> int | None:
    """How many of the nearest candidate passages the user's access excluded, as retrieval
    recorded it; None for records from before it was counted."""
    for stage in trace.get("stages") or []:
        if stage.get("name") == "retrieve":
            return stage.get("detail", {}).get("withheld_by_access")
    return None


_STAGE_VALUE_VOCABULARIES = {"label": "intent", "route": "route"}


def stage_detail(detail: dict[str, Any]) -> str:
    """A stage's recorded figures, keys (and coded values) in words: "passages=3, documents=2"."""
    return ", ".join(
        f"{label('field', key)}={label(_STAGE_VALUE_VOCABULARIES[key], value) if key in _STAGE_VALUE_VOCABULARIES else value}"
        for key, value in detail.items()
    )
