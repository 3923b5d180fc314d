"""Structured personal data found by pattern and validated by check digit: what Presidio
lacks (Chinese formats, identifiers announced by a label in either language, dates of birth,
ages, internal host names) and the company's own ID formats.

Patterns are bounded by "not a digit/letter" lookarounds instead of \\b, because Python's
\\b sees Chinese characters as word characters: "身份证110105…" has no \\b before the digits.
"""

import functools
import re
from collections.abc import Iterator

from router.pii import Span
from router.pii.company import company_formats
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
        # Ten bare digits are a phone number only where the sentence says so.
        "BARE_PHONE": re.compile(
            r"(?:phone|call|reachable at|tel\.?|mobile|cell|fax|whatsapp|电话|手机|座机|联系方式)[^\d\n]{0,16}?"
            r"(?<!\d)([2-9]\d{9})(?!\d)",
            re.IGNORECASE,
        ),
        "INTL_PHONE": re.compile(
            r"(?<![\w+])(?:\+\d{1,3}[ .-]?|00\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]?\d{3,4}"
            r"(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\d])",
            re.IGNORECASE,
        ),
        "PASSPORT": re.compile(r"(?:passport|护照)[^A-Za-z0-9]{0,12}([A-Z]{1,2}\d{7,8})", re.IGNORECASE),
        # An identifier announced as one: "employee ID: X-2291-B", "工号：A10234".
        "LABELLED_ID": re.compile(
            r"(?:(?:employee|staff|customer|client|member|badge|personnel|student|patient|user|tax|national|"
            r"social security|driver'?s? licen[cs]e)\s*(?:id|no\.?|number|#|code)|工号|员工编号|员工号|客户编号|客户号|"
            r"会员号|学号|社保号|社保卡号|驾驶证号|税号|证件号码?|护照号码?)\s*(?:is|是|为|[:：#])?\s*"
            r"([A-Za-z0-9][A-Za-z0-9-]{3,}[A-Za-z0-9])",
            re.IGNORECASE,
        ),
        "ACCOUNT": re.compile(
            r"(?:account|acct|a/c|账号|账户|帐号|帐户|开户账号)\s*(?:no\.?|number|#)?\s*(?:is|是|为|[:：#])?\s*"
            r"(\d[\d -]{6,30}\d)",
            re.IGNORECASE,
        ),
        "DOB": re.compile(
            r"(?:born(?: on)?|birth(?:day| date)?|date of birth|d\.?o\.?b\.?|出生(?:日期|于|年月)?|生日)\s*(?:is|是|为|[:：])?\s*"
            r"(\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|"
            r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
            r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+\d{4})",
            re.IGNORECASE,
        ),
        "AGE": re.compile(
            r"(?<![A-Za-z])(?:aged?\s*(?:is|[:：])?\s*(\d{1,3})(?!\d)|(\d{1,3})[- ]years?[- ]old)|"
            r"(?:年龄|今年)\s*[:：]?\s*(\d{1,3})\s*岁?|(?<!\d)(\d{1,3})\s*岁",
            re.IGNORECASE,
        ),
        # Internal names: a private suffix (.internal, .corp, .local…) or a label saying so.
        "HOST": re.compile(
            r"(?<![A-Za-z0-9.@_-])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
            r"(?:internal|local|localdomain|lan|corp|intra|intranet|private|home\.arpa)(?!\.?[A-Za-z0-9-])|"
            r"(?<![A-Za-z0-9.@_-])(?:[a-z0-9-]+\.)*(?:internal|intra|intranet|corp|int|prod|stg|staging|dev|"
            r"priv|lan|svc)\.(?:[a-z0-9-]+\.)*[a-z]{2,}(?![A-Za-z0-9-])",
            re.IGNORECASE,
        ),
        "HOST_SETTING": re.compile(
            r"(?:host(?:name)?|server|endpoint|db_host|smtp_host|redis_host|server_name)[\"']?\s*[:=]\s*[\"']?"
            r"(?:tcp:)?([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9])",
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
    for name, kind in (
        ("BARE_PHONE", "PHONE"),
        ("LABELLED_ID", "ID"),
        ("ACCOUNT", "ACCOUNT"),
        ("DOB", "DOB"),
        ("HOST_SETTING", "HOST"),
    ):
        for match in patterns[name].finditer(text):
            yield Span(kind, match.start(1), match.end(1), match.group(1))
    for match in patterns["AGE"].finditer(text):
        group = next(g for g in range(1, 5) if match.group(g) is not None)
        yield Span("AGE", match.start(group), match.end(group), match.group(group))
    for match in patterns["HOST"].finditer(text):
        yield Span("HOST", match.start(), match.end(), match.group())
    for kind, pattern in company_formats().id_patterns:
        for match in pattern.finditer(text):
            yield Span(kind, match.start(), match.end(), match.group())


def _looks_like_phone(value: str) -> bool:
    digits = re.sub(r"\D", "", value.split("x")[0].split("X")[0])
    if not 7 <= len(digits) <= 15:
        return False
    # Dates (2026-11-25), amounts and versions share the shape; a phone has few repeated separators runs.
    return not re.fullmatch(r"(?:19|20)\d{2}[-./]\d{1,2}[-./]\d{1,2}", value.strip())
