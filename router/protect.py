"""Protect (local): pseudonymise personal data into stable placeholders before anything leaves
the machine, and put the real values back in what comes in.

Detection unions Presidio's pattern recognizers (e-mail, IBAN, IP, card, phone; no NLP
engine needed) with our own for what Presidio lacks or misses next to Chinese text
(Chinese mobile and resident ID, passports, secrets, names). The placeholder map lives
with the conversation, locally; the cloud only ever sees `<PERSON_1>`.
"""

import functools
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from router.pii import Span
from router.pii.names import name_spans
from router.pii.patterns import structured_spans

# When two findings overlap, the more specific kind wins, then the longer span.
_PRIORITY = {"SECRET": 0, "EMAIL": 1, "IBAN": 2, "ID": 3, "CARD": 4, "IP": 5, "PHONE": 6, "PERSON": 7}
_PRESIDIO_KINDS = {
    "EMAIL_ADDRESS": "EMAIL",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "CREDIT_CARD": "CARD",
    "PHONE_NUMBER": "PHONE",
}
_PLACEHOLDER_SHAPE = r"\s*(?:\\?_|_)?\s*"


@dataclass
class PlaceholderMap:
    """value → placeholder, stable for a conversation. Kept in our database, never sent."""

    values: dict[str, str] = field(default_factory=dict)  # placeholder → original value
    counters: dict[str, int] = field(default_factory=dict)

    def placeholder_for(self, kind: str, value: str) -> str:
        key = _normalise(value)
        for placeholder, known in self.values.items():
            if _normalise(known) == key and placeholder.startswith(f"<{kind}_"):
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
    start: int
    end: int


@dataclass(frozen=True)
class ProtectResult:
    text: str
    replacements: list[Replacement]


def _normalise(value: str) -> str:
    return re.sub(r"[\s\-().]", "", value).lower()


@functools.cache
def _presidio_recognizers() -> tuple:
    """Presidio's pattern recognizers, with tldextract kept offline (its default fetches the
    public suffix list from the internet; the snapshot bundled in the package is enough)."""
    import tldextract
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
        IbanRecognizer,
        IpRecognizer,
        PhoneRecognizer,
    )
    from presidio_analyzer.predefined_recognizers.generic import email_recognizer

    email_recognizer.tldextract = _OfflineTldextract(
        tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    )
    return (
        EmailRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        CreditCardRecognizer(),
        PhoneRecognizer(supported_regions=("US", "GB", "CN", "DE", "FR", "IN", "CA", "AU", "SG", "HK")),
    )


class _OfflineTldextract:
    """Stands in for the `tldextract` module inside Presidio's e-mail recognizer."""

    def __init__(self, extractor) -> None:
        self.extract = extractor


def _presidio_spans(text: str) -> list[Span]:
    spans = []
    for recognizer in _presidio_recognizers():
        for result in recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None):
            kind = _PRESIDIO_KINDS.get(result.entity_type)
            if kind and result.score >= 0.4:
                spans.extend(_ascii_core(text, kind, result.start, result.end))
    return spans


def _ascii_core(text: str, kind: str, start: int, end: int) -> list[Span]:
    r"""Presidio's \w-based patterns run on into adjacent Chinese (至matthew@…): trim that off."""
    while start < end and not text[start].isascii():
        start += 1
    while end > start and not text[end - 1].isascii():
        end -= 1
    return [Span(kind, start, end, text[start:end])] if end > start else []


def find_personal_data(text: str, *, known_names: Sequence[str] = ()) -> list[Span]:
    """Non-overlapping findings, in text order."""
    if not text:
        return []
    found = [*structured_spans(text), *_presidio_spans(text), *name_spans(text, known_names=known_names)]
    found.sort(key=lambda s: (_PRIORITY[s.kind], -(s.end - s.start), s.start))
    chosen: list[Span] = []
    for span in found:
        if all(span.end <= other.start or span.start >= other.end for other in chosen):
            chosen.append(span)
    return sorted(chosen, key=lambda s: s.start)


def protect_text(text: str, *, mapping: PlaceholderMap, known_names: Sequence[str] = ()) -> ProtectResult:
    pieces, replacements, cursor = [], [], 0
    for span in find_personal_data(text, known_names=known_names):
        placeholder = mapping.placeholder_for(span.kind, span.value)
        pieces += [text[cursor : span.start], placeholder]
        replacements.append(Replacement(span.kind, placeholder, span.start, span.end))
        cursor = span.end
    pieces.append(text[cursor:])
    return ProtectResult("".join(pieces), replacements)


def _mangled(placeholder: str) -> str:
    """A pattern for a placeholder as models return it: any case, spaces, HTML-escaped,
    markdown-escaped underscore, or with its angle brackets dropped."""
    kind, number = placeholder.strip("<>").rsplit("_", 1)
    core = rf"{re.escape(kind)}{_PLACEHOLDER_SHAPE}{number}(?!\d)"
    return rf"(?:<|&lt;|\\<)\s*{core}\s*(?:>|&gt;|\\>)|(?<![A-Za-z]){core}"


@functools.lru_cache(maxsize=256)
def _restore_pattern(placeholders: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(f"(?P<p{i}>{_mangled(p)})" for i, p in enumerate(placeholders))
    return re.compile(alternatives, re.IGNORECASE)


def restore_text(text: str, *, mapping: PlaceholderMap) -> str:
    if not mapping.values or not text:
        return text
    placeholders = tuple(sorted(mapping.values, key=len, reverse=True))
    pattern = _restore_pattern(placeholders)

    def replace(match: re.Match) -> str:
        index = int(next(name for name, value in match.groupdict().items() if value is not None)[1:])
        return mapping.values[placeholders[index]]

    return pattern.sub(replace, html.unescape(text) if "&lt;" in text else text)


_PARTIAL_TAIL = re.compile(r"(?:<|&(?:l(?:t;?)?)?|\\<?)?\s*[A-Za-z]*_?\s*\d*\s*$")


class StreamRestorer:
    """Restores placeholders in a stream of chunks, holding back a tail that could still
    grow into a placeholder (`<PER` + `SON_1>`)."""

    def __init__(self, mapping: PlaceholderMap) -> None:
        self._mapping = mapping
        self._pending = ""

    def feed(self, chunk: str) -> str:
        self._pending += chunk
        if not self._mapping.values:
            ready, self._pending = self._pending, ""
            return ready
        tail = _PARTIAL_TAIL.search(self._pending)
        cut = tail.start() if tail and tail.group().strip() else len(self._pending)
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        return restore_text(ready, mapping=self._mapping)

    def flush(self) -> str:
        ready, self._pending = self._pending, ""
        return restore_text(ready, mapping=self._mapping)
