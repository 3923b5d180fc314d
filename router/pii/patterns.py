"""Structured personal data and secrets found by pattern and validated by check digit.

Patterns are bounded by "not a digit/letter" lookarounds instead of \\b, because Python's
\\b sees Chinese characters as word characters: "身份证110105…" has no \\b before the digits.
"""

import functools
import re
from collections.abc import Iterator

from router.pii import Span
from router.pii.validators import card_number_ok, cn_resident_id_ok, iban_ok


@functools.cache
def _compiled() -> dict[str, re.Pattern]:
    return {
        "EMAIL": re.compile(
            r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,24}(?![A-Za-z0-9])"
        ),
        "CN_ID": re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])"),
        "IBAN": re.compile(
            r"(?<![A-Z0-9])[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?(?![A-Za-z0-9])"
        ),
        "CARD": re.compile(r"(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d])"),
        "IPV4": re.compile(
            r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\d.]\d)"
        ),
        "IPV6": re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{1,4}:){2,7}[0-9A-Fa-f]{1,4}(?![0-9A-Fa-f:])"),
        "CN_MOBILE": re.compile(r"(?<![\d+])(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"),
        "CN_LANDLINE": re.compile(r"(?<!\d)(?:\+?86[ -]?)?0\d{2,3}[ -]\d{7,8}(?!\d)"),
        "INTL_PHONE": re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[ .-]?|00\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4}"
            r"(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\d])",
            re.IGNORECASE,
        ),
        "PASSPORT": re.compile(r"(?:passport|护照)[^A-Za-z0-9]{0,12}([A-Z]{1,2}\d{7,8})", re.IGNORECASE),
        "API_KEY": re.compile(
            r"(?<![A-Za-z0-9])(?:sk-[A-Za-z0-9_-]{16,}|AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|xox[bpas]-[A-Za-z0-9-]{10,}|"
            r"AIza[0-9A-Za-z_-]{30,}|kb_[A-Za-z0-9_-]{30,})"
        ),
        "ASSIGNED_SECRET": re.compile(
            r"(?:password|passwd|pwd|passcode|secret|token|api[_ -]?key|密码|口令|密钥)\s*(?:is|为|是|[:：=])\s*[\"'“]?([^\s\"'”，。,;；]{4,})",
            re.IGNORECASE,
        ),
    }


def structured_spans(text: str) -> Iterator[Span]:
    patterns = _compiled()
    for match in patterns["EMAIL"].finditer(text):
        yield Span("EMAIL", match.start(), match.end(), match.group())
    for match in patterns["CN_ID"].finditer(text):
        if cn_resident_id_ok(match.group()):
            yield Span("ID", match.start(), match.end(), match.group())
    for match in patterns["PASSPORT"].finditer(text):
        yield Span("ID", match.start(1), match.end(1), match.group(1))
    for match in patterns["IBAN"].finditer(text):
        if iban_ok(match.group()):
            yield Span("IBAN", match.start(), match.end(), match.group())
    for match in patterns["CARD"].finditer(text):
        if card_number_ok(re.sub(r"\D", "", match.group())) and not cn_resident_id_ok(match.group()):
            yield Span("CARD", match.start(), match.end(), match.group())
    for name in ("IPV4", "IPV6"):
        for match in patterns[name].finditer(text):
            yield Span("IP", match.start(), match.end(), match.group())
    for name in ("CN_MOBILE", "CN_LANDLINE", "INTL_PHONE"):
        for match in patterns[name].finditer(text):
            if _looks_like_phone(match.group()):
                yield Span("PHONE", match.start(), match.end(), match.group())
    for match in patterns["API_KEY"].finditer(text):
        yield Span("SECRET", match.start(), match.end(), match.group())
    for match in patterns["ASSIGNED_SECRET"].finditer(text):
        yield Span("SECRET", match.start(1), match.end(1), match.group(1))


def _looks_like_phone(value: str) -> bool:
    digits = re.sub(r"\D", "", value.split("x")[0].split("X")[0])
    if not 7 <= len(digits) <= 15:
        return False
    # Dates (2026-11-25), amounts and versions share the shape; a phone has few repeated separators runs.
    return not re.fullmatch(r"(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}", value.strip())
