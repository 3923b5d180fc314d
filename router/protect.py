"""Protect (local): pseudonymise personal data into stable placeholders before anything leaves
the machine, and put the real values back in what comes in.

Detection unions Presidio's pattern recognizers (e-mail, IBAN, IP, card, phone) with our own
for what Presidio lacks or misses next to Chinese text (Chinese mobile and resident ID,
passports, secrets, names). The placeholder map lives with the conversation, locally; the
cloud only ever sees `<PERSON_1>`, and whatever a model does to that token on its way back
(case, markdown, HTML escaping, spaces, lost brackets, chunk boundaries) is undone here.
"""

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from router.pii import Span
from router.pii.addresses import address_spans
from router.pii.company import refresh_company_formats
from router.pii.names import name_parts, name_spans
from router.pii.organisations import organisation_core, organisation_spans
from router.pii.patterns import structured_spans

# Overlapping findings become one span, of the most specific kind among them.
_PRIORITY = {
    "SECRET": 0, "EMAIL": 1, "IBAN": 2, "ID": 3, "CARD": 4, "ACCOUNT": 5, "IP": 6, "HOST": 7, "PHONE": 8,
    "DOB": 9, "ADDRESS": 10, "PERSON": 11, "ORG": 12, "AGE": 13,
}  # fmt: skip
_SEPARATORS = re.compile(r"[\s\-().]")


@dataclass
class PlaceholderMap:
    """Per conversation and stable: the same value always maps to the same placeholder
    (`<PERSON_1>`, `<EMAIL_2>`, `<PHONE_1>`, `<ID_1>`, `<CARD_1>`, `<IBAN_1>`, `<IP_1>`,
    `<SECRET_1>`), so the cloud can tell people apart across turns. Kept locally in the
    database per conversation (`to_dict`/`from_dict`), never sent."""

    values: dict[str, str] = field(default_factory=dict)  # placeholder → original value
    counters: dict[str, int] = field(default_factory=dict)

    def placeholder_for(self, kind: str, value: str) -> str:
        # "+86 139-1234-5678" and "+8613912345678", "Alice Martin" and "alice martin" are one value.
        key = _SEPARATORS.sub("", value).lower()
        for placeholder, known in self.values.items():
            if placeholder.startswith(f"<{kind}_") and _SEPARATORS.sub("", known).lower() == key:
                return placeholder
        self.counters[kind] = self.counters.get(kind, 0) + 1
        placeholder = f"<{kind}_{self.counters[kind]}>"
        self.values[placeholder] = value
        return placeholder

    def to_dict(self) -> dict:
        return {"values": dict(self.values), "counters": dict(self.counters)}

    @classmethod
    def from_dict(cls, data: dict | None) -> "PlaceholderMap":
        data = data or {}
        return cls(values=dict(data.get("values", {})), counters=dict(data.get("counters", {})))


@dataclass(frozen=True)
class Replacement:
    kind: str
    placeholder: str
    start: int  # in the original text
    end: int


@dataclass(frozen=True)
class ProtectResult:
    text: str
    replacements: list[Replacement]


def find_personal_data(text: str, *, known_names: Sequence[str] = ()) -> list[Span]:
    """Non-overlapping findings, in text order; `known_names` come from the user directory.

    Findings that overlap are merged into one span covering all of them, so that a value is
    never partly visible: a name that runs into an e-mail address, a key whose prefix one
    detector saw and another did not."""
    if not text:
        return []
    from router.pii.presidio import presidio_spans  # Presidio pulls in spaCy: load on first use
    from router.pii.secrets import secret_spans  # detect-secrets pulls in requests

    found = [
        *secret_spans(text),
        *structured_spans(text),
        *presidio_spans(text),
        *address_spans(text),
        *name_spans(text, known_names=known_names),
        *organisation_spans(text),
    ]
    found.sort(key=lambda s: (s.start, -s.end))
    merged: list[Span] = []
    for span in found:
        last = merged[-1] if merged else None
        if last is None or span.start >= last.end:
            merged.append(span)
        elif span.end > last.end or _PRIORITY[span.kind] < _PRIORITY[last.kind]:
            kind = min(last.kind, span.kind, key=_PRIORITY.__getitem__)
            end = max(last.end, span.end)
            merged[-1] = Span(kind, last.start, end, text[last.start : end])
    return merged


def protect_text(text: str, *, mapping: PlaceholderMap, known_names: Sequence[str] = ()) -> ProtectResult:
    """Replace every finding by its placeholder, adding new values to `mapping`."""
    pieces, replacements, cursor = [], [], 0
    for span in find_personal_data(text, known_names=known_names):
        placeholder = mapping.placeholder_for(span.kind, span.value)
        pieces += [text[cursor : span.start], placeholder]
        replacements.append(Replacement(span.kind, placeholder, span.start, span.end))
        cursor = span.end
    pieces.append(text[cursor:])
    return ProtectResult("".join(pieces), replacements)


def _mangled(placeholder: str) -> str:
    r"""A pattern for a placeholder as models return it: any case, spaces inside, HTML-escaped
    (`&lt;PERSON_1&gt;`), markdown-escaped (`\<PERSON\_1\>`), or with its brackets dropped."""
    kind, number = placeholder.strip("<>").rsplit("_", 1)
    core = rf"{re.escape(kind)}\s*\\?_?\s*{number}(?!\d)"
    return rf"(?:<|&lt;|\\<)\s*{core}\s*(?:>|&gt;|\\>)|(?<![A-Za-z]){core}"


@functools.lru_cache(maxsize=256)
def _restore_pattern(placeholders: tuple[str, ...]) -> re.Pattern:
    return re.compile("|".join(f"(?P<p{i}>{_mangled(p)})" for i, p in enumerate(placeholders)), re.IGNORECASE)


# A secret never comes back in an answer, not even to the user who pasted it: once restored, a
# token without its "token:" label is no longer recognisable to the compliance filter.
SECRET_REMOVED = "[secret removed]"  # noqa: S105 - the text shown instead, not a secret


def restore_text(text: str, *, mapping: PlaceholderMap) -> str:
    """Put the original values back, secrets excepted; placeholders the map does not know are
    left as they are."""
    if not mapping.values or not text:
        return text
    placeholders = tuple(sorted(mapping.values, key=len, reverse=True))  # <PERSON_10> before <PERSON_1>

    def original(match: re.Match) -> str:
        group = match.lastgroup or "p0"  # every alternative of the pattern is a named group
        placeholder = placeholders[int(group[1:])]
        return SECRET_REMOVED if placeholder.startswith("<SECRET_") else mapping.values[placeholder]

    return _restore_pattern(placeholders).sub(original, text)


# The end of a chunk that could still grow into a placeholder: a (partial) opening bracket,
# letters, underscore, digits and a (partial) closing one: `<PER`, `&lt; PERSON_1 &g`, `PERSON_1`.
_PARTIAL_TAIL = re.compile(
    r"(?:(?:<|&(?:l(?:t;?)?)?|\\<?)\s*)?[A-Za-z]*\s*\\?_?\s*\d*\s*(?:&(?:g(?:t)?)?|\\)?$"
)


class StreamRestorer:
    """Restores placeholders in a stream of chunks from a model. Concatenated, what it returns
    equals `restore_text` on the whole stream, wherever the chunks were split."""

    def __init__(self, mapping: PlaceholderMap) -> None:
        self._mapping = mapping
        self._pending = ""

    def feed(self, chunk: str) -> str:
        """Text safe to emit now; a tail that could be part of a placeholder is held back."""
        self._pending += chunk
        if not self._mapping.values:
            ready, self._pending = self._pending, ""
            return ready
        tail = _PARTIAL_TAIL.search(self._pending)  # it matches at least the empty end
        cut = tail.start() if tail else len(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return restore_text(ready, mapping=self._mapping)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return restore_text(ready, mapping=self._mapping)


@functools.lru_cache(maxsize=1024)
def _anywhere(value: str) -> re.Pattern:
    """A known value in any case, but not inside a longer word: "Dean" is not in "Deanery"
    (digits may run on: a phone number inside "+8613916668888" is still one)."""
    before = "(?<![A-Za-z])" if value[0].isalpha() and value[0].isascii() else ""
    after = "(?![A-Za-z])" if value[-1].isalpha() and value[-1].isascii() else ""
    return re.compile(before + re.escape(value) + after, re.IGNORECASE)


_EMAIL_FRAGMENT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]*")


def mask_known_values(text: str, *, mapping: PlaceholderMap) -> str:
    """Replace every value the map already knows, wherever it appears, even where detection
    alone would miss it (a name in an odd position, a value the model echoed back), and any
    fragment of an e-mail address (an answer cut off mid-address)."""
    for placeholder, value in sorted(mapping.values.items(), key=lambda item: len(item[1]), reverse=True):
        if len(value) >= 2 and (len(value) >= 3 or not value.isascii()):
            text = _anywhere(value).sub(placeholder, text)
    return _EMAIL_FRAGMENT.sub(lambda match: mapping.placeholder_for("EMAIL", match.group()), text)


def _identifying_parts(span: Span) -> list[str]:
    if span.kind == "PERSON":
        return name_parts(span.value)
    core = organisation_core(span.value) if span.kind == "ORG" else ""
    return [core] if len(core) >= (4 if core.isascii() else 2) else []


# --- the protect stage of one request ------------------------------------------------


@dataclass(frozen=True)
class ProtectedRequest:
    """What may leave the machine, and the personal values the asking user could already see."""

    question: str
    context: str
    history: list[tuple[str, str]]
    visible_values: frozenset[str]
    known_names: Sequence[str]  # from the directory, as this request used them
    visible_text: str = ""  # the question, passages and history as the user could read them


def protect_request(
    *,
    question: str,
    context: str,
    passages: Sequence[str],
    history: Sequence[tuple[str, str]],
    mapping: PlaceholderMap,
    known_names: Sequence[str],
) -> ProtectedRequest:
    """Personal data in the question, in the passages this request drew on and in the
    conversation so far (which the user has seen) is registered first, so that it is masked
    wherever it resurfaces: in the condensed context, in the question, or in earlier answers;
    so are the parts of a name that identify on their own ("Fletcher", "Globex"). The company's formats are brought up to date
    with the admin's tables first: an edit applies from the next request on."""
    refresh_company_formats()
    visible: set[str] = set()
    readable = [question, *passages, *(text for _, text in history)]
    for text in readable:
        for span in find_personal_data(text, known_names=known_names):
            mapping.placeholder_for(span.kind, span.value)
            visible.add(span.value)
            for part in _identifying_parts(span):
                mapping.placeholder_for(span.kind, part)

    def protect(text: str) -> str:
        protected = protect_text(text, mapping=mapping, known_names=known_names).text
        return mask_known_values(protected, mapping=mapping)

    protected_context = protect(context)  # first: placeholders are numbered in this order
    return ProtectedRequest(
        question=protect(question),
        context=protected_context,
        history=[(role, protect(text)) for role, text in history],
        visible_values=frozenset(visible),
        known_names=known_names,
        visible_text="\n".join(readable),
    )
