"""What people read for the codes stored in rows and records (kinds, routes, statuses,
intents, reasons…).

Records keep codes, which programs filter on and the audit chain hashes; the words are
chosen here, at display, in the reader's language. An unknown code (a label an admin
added, a kind from a newer version) is shown as it is rather than hidden.
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ingestion.models import Sensitivity, Status
from kb_assistant.accounts.roles import AUDITORS, EMPLOYEES, KB_ADMINS
from router.reasons import ReasonCode

_KINDS = {
    "request": _("question"),
    "document_upload": _("document upload"),
    "document_reingest": _("re-ingestion"),
    "document_delete": _("document deletion"),
    "permission_change": _("permission change"),
    "login": _("login"),
    "login_failed": _("failed login"),
}
_ROUTES = {"local": _("local"), "cloud": _("cloud"), "fallback": _("fallback")}
_CHANNELS = {
    "chat": pgettext_lazy("channel", "chat page"),
    "api": pgettext_lazy("channel", "API"),
    "cli": pgettext_lazy("channel", "command line"),
    "web": pgettext_lazy("channel", "web"),
}
_GROUPS = {
    EMPLOYEES: _("all employees"),
    "hr": _("HR"),
    "finance": _("Finance"),
    "legal": _("Legal"),
    KB_ADMINS: _("KB admins"),
    AUDITORS: _("Auditors"),
}
_INTENTS = {
    "hr_admin": _("HR & administration"),
    "legal": _("Contracts & legal"),
    "it_process": _("IT & processes"),
    "finance": _("Finance"),
    "chitchat": _("Chit-chat"),
    "out_of_scope": _("Out of scope"),
    "general": _("General"),
}
_REASONS = {
    ReasonCode.OFFLINE: _("offline: no cloud model is configured"),
    ReasonCode.RESTRICTED: _("restricted documents stay on this machine"),
    ReasonCode.LOCAL_INTENT: _("this kind of question is answered locally"),
    ReasonCode.NO_CONTEXT: _("nothing readable matched: answered without the cloud"),
    ReasonCode.SCOPE_OVERRIDE: _("looked out of scope, but readable documents match"),
    ReasonCode.BREAKER_OPEN: _("the cloud circuit breaker is open"),
    ReasonCode.CLOUD_REFUSED: _("the cloud refused the request"),
    ReasonCode.OVER_BUDGET: _("the daily cloud budget is spent"),
    ReasonCode.OVER_LATENCY: _("the cloud is too slow for the latency budget"),
    ReasonCode.CONTEXT_TOO_LONG: _("the context is too long for the cloud"),
    ReasonCode.DIRECT_LOOKUP: _("a direct lookup the local model can answer"),
    ReasonCode.NEEDS_REASONING: _("needs reasoning: sent to the cloud"),
    ReasonCode.TOKENS_SAVED: _("condensed before sending: fewer cloud tokens"),
    ReasonCode.HALF_OPEN_PROBE: _("a probe of a recovering cloud"),
    ReasonCode.CLOUD_FAILED: _("the cloud failed: answered locally"),
    ReasonCode.CLOUD_CUT_OFF: _("the cloud answer was cut off"),
    ReasonCode.LOCAL_BUSY: _("the local model was busy: quoted instead"),
    ReasonCode.ESCALATED: _("the local model could only quote: sent to the cloud"),
}
_COMPLIANCE = {
    "pii_masked": _("personal data masked"),
    "secret_removed": _("secret removed"),
    "blocked_term": _("blocked term removed"),
    "glossary": _("glossary applied"),
    "placeholder_restored": _("placeholders restored"),
    "instruction_followed": _("answer followed planted instructions"),
    "instruction_withheld": _("planted instructions withheld"),
    "instruction_fenced": _("planted instructions quoted as data"),
}
_STAGES = {
    "resolve": _("resolve follow-up"),
    "intent": _("intent"),
    "retrieve": _("retrieve"),
    "condense": _("condense"),
    "protect": _("de-identify"),
    "route": _("route"),
    "generate": _("generate"),
    "postprocess": _("post-process"),
    "total": _("total"),
}
_TOKENS = {
    "plain_rag_in": _("plain RAG would send"),
    "condensed_context": _("condensed context"),
    "cloud_in": _("sent to the cloud"),
    "cloud_out": _("received from the cloud"),
}
_COSTS = {"cloud": _("cloud"), "plain_rag": _("plain RAG")}
_MODELS = {
    "extractive (quoted passages)": _("extractive (quoted passages)"),
    "extractive (fixed reply)": _("extractive (fixed reply)"),
}
# The keys of an event record's detail and of the stages' details, as the audit shows them.
_FIELDS = {
    "document_id": _("document id"),
    "title": _("title"),
    "version": _("version"),
    "outcome": _("outcome"),
    "sha256": "SHA-256",
    "size": _("size (bytes)"),
    "same_name_as": _("same name as document"),
    "groups_before": _("readers before"),
    "groups_after": _("readers after"),
    "sensitivity_before": _("sensitivity before"),
    "sensitivity_after": _("sensitivity after"),
    "username": _("username"),
    "chunks": _("passages"),
    "documents": _("documents"),
    "withheld_by_access": _("withheld by access"),
    "label": _("label"),
    "confidence": _("confidence"),
    "changed": _("changed"),
    "question": _("question"),
    "route": _("route"),
    "complexity": _("complexity"),
    "placeholders": _("placeholders"),
    "how": _("how"),
    "actions": _("actions"),
    "error": _("error"),
    "busy": _("busy"),
    "model_error": _("model error"),
}
_OUTCOMES = {
    "created": _("created"),
    "renamed": _("added under a new name"),
    "new_version": _("new version"),
    "duplicate": _("duplicate"),
}

# The dashboard's chart series; their codes also name the CSS colour classes.
_SERIES = {
    **_ROUTES,
    "cloud tokens sent": _("cloud tokens sent"),
    "plain RAG tokens": _("plain RAG tokens"),
    "requests": _("requests"),
    "citations": _("citations"),
    "fallbacks": _("fallbacks"),
    "breaker open": _("breaker open"),
}

VOCABULARIES: dict[str, dict[str, Promise | str]] = {
    "kind": _KINDS,
    "route": _ROUTES,
    "where": _ROUTES,
    "channel": _CHANNELS,
    "status": {choice.value: choice.label for choice in Status},
    "sensitivity": {choice.value: choice.label for choice in Sensitivity},
    "group": _GROUPS,
    "intent": _INTENTS,
    "reason": {str(code): text for code, text in _REASONS.items()},
    "compliance": _COMPLIANCE,
    "stage": _STAGES,
    "tokens": _TOKENS,
    "cost": _COSTS,
    "model": _MODELS,
    "field": _FIELDS,
    "outcome": _OUTCOMES,
    "series": _SERIES,
}


def label(vocabulary: str, code: object) -> str:
    """The reader's words for `code`; the code itself when the vocabulary does not know it."""
    text = VOCABULARIES[vocabulary].get(str(code))
    return str(code) if text is None else str(text)


def texts(vocabulary: str) -> dict[str, str]:
    """The whole vocabulary in the reader's language, for code that labels many at once."""
    return {code: str(text) for code, text in VOCABULARIES[vocabulary].items()}


def choices(vocabulary: str, codes) -> list[tuple[str, str]]:
    """(code, words) pairs for a form's select, in the order given."""
    return [(code, label(vocabulary, code)) for code in codes]


def reason_rows(record: dict[str, Any]) -> list[tuple[str, str]]:
    """(words for the code, the text recorded) per routing reason of a trace or route card;
    records written before reasons had codes have only the text."""
    texts = record.get("reasons") or []
    codes = record.get("reason_codes") or [""] * len(texts)
    return [(label("reason", code) if code else "", text) for code, text in zip(codes, texts, strict=False)]
