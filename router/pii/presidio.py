"""Presidio's predefined pattern recognizers, run without an NLP engine.

Import this module only when detection first runs: Presidio pulls in spaCy. Its recognizers
accept `nlp_artifacts=None`; without lemmas Presidio cannot raise a weak match's score from the
context words each recognizer declares (US bank numbers, passports, SSNs without dashes are
"very weak" on their own), so we do that here: a weak match counts when one of its context
words, or one of our Chinese ones, stands shortly before it.

Presidio's patterns use `\\b`, which sees no boundary between a Chinese character and a digit
("账号62220…"); they run on a copy of the text with Chinese characters replaced by "|", which
keeps every offset and, unlike a space, never looks like a separator inside a number
("100号15楼1503" is no SSN).
"""

import functools
import re
from dataclasses import dataclass

import tldextract
from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    AbaRoutingRecognizer,
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
    UkNinoRecognizer,
    UkPassportRecognizer,
    UsBankRecognizer,
    UsItinRecognizer,
    UsPassportRecognizer,
    UsSsnRecognizer,
)

from ingestion.text import WIDE_CHAR
from router.pii import Span

# Each region is one more pass of phonenumbers' matcher, the slowest step of detection (about 7 ms
# per 2,000 characters each); a number with its country code is found in any region, and the
# national formats of China and Europe by our own patterns.
_PHONE_REGIONS = ("US",)
_MIN_SCORE = 0.4  # Presidio's own floor for a bare pattern match without context words
_CONTEXT_WINDOW = 40  # characters before a weak match searched for a context word


@dataclass(frozen=True)
class _Use:
    recognizer: EntityRecognizer
    kind: str
    extra_context: tuple[str, ...] = ()  # Chinese context words Presidio's lists lack


class _OfflineEmailRecognizer(EmailRecognizer):
    """Presidio checks an e-mail's domain with tldextract, whose default downloads the public
    suffix list at first use; this one reads the snapshot bundled in the package instead."""

    def validate_result(self, pattern_text: str) -> bool:
        return _offline_domains()(pattern_text).fqdn != ""


@functools.cache
def _offline_domains() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())


@functools.cache
def _uses() -> tuple[_Use, ...]:
    national = ("身份证", "证件", "社保", "社会安全号", "税号", "号码")
    return (
        _Use(_OfflineEmailRecognizer(), "EMAIL"),
        _Use(IbanRecognizer(), "IBAN"),
        _Use(IpRecognizer(), "IP"),
        _Use(CreditCardRecognizer(), "CARD", ("卡号", "信用卡", "银行卡")),
        _Use(PhoneRecognizer(supported_regions=_PHONE_REGIONS), "PHONE"),
        _Use(UsSsnRecognizer(), "ID", national),
        _Use(UsItinRecognizer(), "ID", national),
        _Use(UkNinoRecognizer(), "ID", ("ni", "insurance", *national)),
        _Use(UsPassportRecognizer(), "ID", ("护照",)),
        _Use(UkPassportRecognizer(), "ID", ("护照",)),
        _Use(UsBankRecognizer(), "ACCOUNT", ("账号", "账户", "帐号", "帐户", "银行", "account no", "a/c")),
        _Use(AbaRoutingRecognizer(), "ACCOUNT", ("路由", "routing no")),
    )


def presidio_spans(text: str) -> list[Span]:
    blanked = WIDE_CHAR.sub("|", text)
    lowered = text.lower()
    spans = []
    for use in _uses():
        recognizer = use.recognizer
        for result in recognizer.analyze(blanked, entities=recognizer.supported_entities, nlp_artifacts=None):  # type: ignore[arg-type]
            if result.score >= _MIN_SCORE or _in_context(lowered, result.start, use):
                spans.extend(_trimmed(text, use.kind, result.start, result.end))
    return spans


def _in_context(lowered: str, start: int, use: _Use) -> bool:
    before = lowered[max(0, start - _CONTEXT_WINDOW) : start]
    words = (*(getattr(use.recognizer, "context", None) or ()), *use.extra_context)
    return any(re.search(rf"(?<![a-z]){re.escape(word)}(?![a-z])", before) for word in words)


def _trimmed(text: str, kind: str, start: int, end: int) -> list[Span]:
    """Presidio's phone matches keep the bracket that opens a remark ("(+44 20 7946 4357)"):
    trim it off, and the blanks that stood for Chinese characters."""
    while start < end and (text[start].isspace() or (text[start] == "(" and ")" not in text[start:end])):
        start += 1
    while end > start and (text[end - 1].isspace() or not text[end - 1].isascii()):
        end -= 1
    return [Span(kind, start, end, text[start:end])] if end > start else []
