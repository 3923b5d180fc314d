"""Presidio's pattern recognizers (e-mail, IBAN, IP, card, phone), run without an NLP engine.

Import this module only when detection first runs: Presidio pulls in spaCy. Its recognizers
accept `nlp_artifacts=None`, so no spaCy model is needed (none ships offline here).
"""

import functools

import tldextract
from presidio_analyzer import EntityRecognizer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    IpRecognizer,
    PhoneRecognizer,
)

from router.pii import Span

_KINDS = {
    "EMAIL_ADDRESS": "EMAIL",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP",
    "CREDIT_CARD": "CARD",
    "PHONE_NUMBER": "PHONE",
}
_PHONE_REGIONS = ("US", "GB", "CN", "DE", "FR", "IN", "CA", "AU", "SG", "HK")
_MIN_SCORE = 0.4  # Presidio's own floor for a bare pattern match without context words


class _OfflineEmailRecognizer(EmailRecognizer):
    """Presidio checks an e-mail's domain with tldextract, whose default downloads the public
    suffix list at first use; this one reads the snapshot bundled in the package instead."""

    def validate_result(self, pattern_text: str) -> bool:
        return _offline_domains()(pattern_text).fqdn != ""


@functools.cache
def _offline_domains() -> tldextract.TLDExtract:
    return tldextract.TLDExtract(cache_dir=None, suffix_list_urls=())


@functools.cache
def _recognizers() -> tuple[EntityRecognizer, ...]:
    return (
        _OfflineEmailRecognizer(),
        IbanRecognizer(),
        IpRecognizer(),
        CreditCardRecognizer(),
        PhoneRecognizer(supported_regions=_PHONE_REGIONS),
    )


def presidio_spans(text: str) -> list[Span]:
    spans = []
    for recognizer in _recognizers():
        for result in recognizer.analyze(text, entities=recognizer.supported_entities, nlp_artifacts=None):
            kind = _KINDS.get(result.entity_type)
            if kind and result.score >= _MIN_SCORE:
                spans.extend(_trimmed(text, kind, result.start, result.end))
    return spans


def _trimmed(text: str, kind: str, start: int, end: int) -> list[Span]:
    r"""Presidio's \w-based patterns run on into adjacent Chinese (至matthew@…), and its phone
    matches keep the bracket that opens a remark ("(+44 20 7946 4357)"): trim those off."""
    while start < end and (not text[start].isascii() or (text[start] == "(" and ")" not in text[start:end])):
        start += 1
    while end > start and not text[end - 1].isascii():
        end -= 1
    return [Span(kind, start, end, text[start:end])] if end > start else []
