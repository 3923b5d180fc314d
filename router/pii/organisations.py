"""Organisation names of customers and suppliers, by their legal form: "Globex Corporation",
"Miller Inc", "Smith, Jones and Brown", "华为技术有限公司". The company's own names
(`PII_OWN_ORGANISATIONS` and the admin's list) may pass.

Without a statistical model (spaCy's en_core_web_sm NER alone costs about 29 ms per 2,000
characters here, twice the whole detection budget) the legal form is the signal: a capitalised
phrase ending in one, or two or three surnames joined like a firm's.
"""

import functools
import re
from collections.abc import Iterator

from router.pii import Span
from router.pii.company import company_formats
from router.pii.names import surnames

_LEGAL_FORMS = (
    "Inc|Incorporated|Corp|Corporation|Co|Company|Ltd|Limited|LLC|L\\.L\\.C|LLP|PLC|plc|GmbH|AG|SA|S\\.A|"
    "SARL|BV|B\\.V|NV|N\\.V|Pty|KK|SpA|S\\.p\\.A|Group|Holdings|Partners|Associates|Bank|Capital|Ventures|"
    "Technologies|Systems|Solutions|Logistics|Industries|Enterprises|Consulting|Labs|Pharmaceuticals|and Sons"
)
_NAME_WORD = r"(?:[A-Z][A-Za-z0-9&'-]*|&)"
_ZH_FORMS = "股份有限公司|有限责任公司|有限公司|集团|公司|银行|事务所|研究院|研究所|工作室|合作社|商行"
# What comes before a company's name in a sentence, and generic "the company" words.
# Not 为 or 和, which start or sit inside names (华为, 和记): better one word too many masked.
_ZH_LEAD_INS = (
    "供应商", "客户", "合作方", "甲方", "乙方", "对方", "来自", "联系", "开户行", "开户银行", "与", "向", "给", "是",
    "由", "的", "在", "从", "跟", "对", "比", "把", "被", "让", "：", ":",
)  # fmt: skip
_ZH_GENERIC = re.compile(
    r"^(?:本|子|分|总|该|贵|我|各|全|母|这家|那家|此|其|我们|你们|他们|一家|两家|多家|新|老)"
)


@functools.cache
def _compiled() -> dict[str, re.Pattern]:
    return {
        "LEGAL": re.compile(
            rf"(?<![A-Za-z0-9])(?:{_NAME_WORD}(?:,?\s+|-)){{1,4}}(?:{_LEGAL_FORMS})(?![A-Za-z0-9])"
        ),
        "FIRM": re.compile(r"(?<![A-Za-z])([A-Z][a-z]+)(?:, ([A-Z][a-z]+))? and ([A-Z][a-z]+)(?![A-Za-z])"),
        "ZH": re.compile(rf"[\u4e00-\u9fffA-Za-z（）()]{{2,20}}?(?:{_ZH_FORMS})"),
    }


def organisation_spans(text: str) -> Iterator[Span]:
    formats = company_formats()
    for span in _candidates(text):
        if not formats.is_own(span.value):
            yield span


def is_legal_form(name: str) -> bool:
    """ "Ltd", "GmbH", "有限公司": a word every company shares."""
    return re.fullmatch(rf"(?:{_LEGAL_FORMS})\.?|(?:{_ZH_FORMS})", name.strip(), re.IGNORECASE) is not None


def organisation_core(name: str) -> str:
    """ "Globex" of "Globex Corporation", "北京星辰软件" of "北京星辰软件股份有限公司": the name without its
    legal form, which identifies the organisation wherever else it stands alone."""
    core = re.sub(rf"(?:,?\s+(?:{_LEGAL_FORMS})\.?)+$|(?:{_ZH_FORMS})$", "", name.strip())
    return core if core != name.strip() else ""


def _candidates(text: str) -> Iterator[Span]:
    patterns = _compiled()
    for match in patterns["LEGAL"].finditer(text):
        start = _after_sentence_start(text, match.start(), match.end())
        if start is not None:
            yield Span("ORG", start, match.end(), text[start : match.end()])
    family = surnames()
    for match in patterns["FIRM"].finditer(text):
        names = [n.lower() for n in match.groups() if n]
        if sum(n in family for n in names) >= 2:
            yield Span("ORG", match.start(), match.end(), match.group())
    for match in patterns["ZH"].finditer(text):
        start = _zh_start(match.group()) + match.start()
        if start > 0 and text[start - 1].isdigit() and text[start] in "年月日号":  # 2007年越南…银行
            start += 1
        value = text[start : match.end()]
        form = re.search(_ZH_FORMS, value)
        if form and len(value) - len(form.group()) >= 2 and not _ZH_GENERIC.match(value):
            yield Span("ORG", start, match.end(), value)


def _after_sentence_start(text: str, start: int, end: int) -> int | None:
    """Drop a leading word that is only capitalised because it opens the sentence ("The",
    "Our", "Contact"), and a match that is nothing but a legal form."""
    words = text[start:end].split()
    while len(words) > 1 and words[0].lower() in _LEADING_WORDS:
        start = text.index(words[1], start + len(words[0]))
        words = words[1:]
    return start if len(words) > 1 else None


_LEADING_WORDS = frozenset((
    "the", "our", "their", "your", "his", "her", "its", "a", "an", "this", "that", "contact", "ask", "call",
    "email", "mail", "from", "to", "with", "for", "at", "by", "and", "or", "of", "in", "on", "dear", "supplier",
    "customer", "client", "vendor", "partner", "please", "invoice", "send", "&",
))  # fmt: skip


def _zh_start(candidate: str) -> int:
    """Where the name starts within a lazy match that began too early: after the last
    lead-in word before the legal form."""
    form = re.search(_ZH_FORMS, candidate)
    form_at = form.start() if form else len(candidate)
    cut = 0
    for word in _ZH_LEAD_INS:
        at = candidate.rfind(word, 0, form_at)
        if at >= 0:
            cut = max(cut, at + len(word))
    return cut
