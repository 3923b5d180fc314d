"""People's names without a statistical NER model (none ships offline here).

English: capitalised word pairs whose first word is a known given name (or follows a title
such as "Ms."), checked against surname lists. Chinese: a known surname followed by one or
two characters, accepted when the given name is a known one or the name sits in a typical
slot (after 联系人/员工/审批人…, before 先生/女士/的…). The name lists come from Faker's
person providers (census-derived, offline, in the package). Directory names always match.
"""

import functools
import re
from collections.abc import Iterator, Sequence

from router.pii import Span

_TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mx)\.?"
_CAP_WORD = r"[A-Z][a-z]+(?:['-][A-Z]?[a-z]+)?"
_EN_CANDIDATE = re.compile(
    rf"(?<![A-Za-z])(?=(?:({_TITLES})\s+)?({_CAP_WORD})(?:\s+([A-Z]\.))?\s+({_CAP_WORD})(?![A-Za-z]))"
)  # a lookahead, so that "Ask Maria Gonzalez" is also tried from "Maria"
_TITLED = re.compile(rf"(?<![A-Za-z])({_TITLES})\s+({_CAP_WORD})(?![A-Za-z])")
_AMBIGUOUS_GIVEN = {
    "will", "may", "june", "april", "grant", "mark", "bill", "sue", "chase", "summer", "hope", "faith", "joy", "rose",
    "dean", "page", "max", "case", "lane", "cash", "art", "guy", "frank", "august", "jan", "sun", "mon", "wed",
}  # fmt: skip
_NOT_SURNAMES = {
    "street",
    "road",
    "avenue",
    "policy",
    "team",
    "office",
    "department",
    "monday",
    "tuesday",
    "friday",
}

_COMPOUND_SURNAMES = [
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "令狐",
    "慕容",
    "尉迟",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "公孙",
    "轩辕",
    "端木",
    "独孤",
    "南宫",
    "西门",
    "百里",
]
_ZH_BEFORE = (
    "联系人", "员工", "审批人", "经理", "负责人", "申请人", "同事", "联系", "致", "由", "报销人", "收件人", "签字人",
    "客户", "主管", "总监", "专员", "助理", "老师", "新员工", "候选人", "出差人", "姓名", "代表", "乙方", "甲方", "请", "与", "和", "给",
)  # fmt: skip
_ZH_AFTER = ("先生", "女士", "小姐", "经理", "总监", "主管", "的", "（", "(", "，", "、", "。", "：", ":", " ", "说", "已", "将", "负责", "提交", "于", "在", "电话", "手机", "邮箱", "同学", "老师")  # fmt: skip
_CJK = re.compile(r"[\u4e00-\u9fff]")


@functools.cache
def _gazetteers() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    from faker.providers.person.en_GB import Provider as GbNames
    from faker.providers.person.en_US import Provider as UsNames
    from faker.providers.person.zh_CN import Provider as ZhNames

    given = {n.lower() for provider in (UsNames, GbNames) for n in provider.first_names}
    family = {n.lower() for provider in (UsNames, GbNames) for n in provider.last_names} - _NOT_SURNAMES
    zh_family = set(ZhNames.last_names) | set(_COMPOUND_SURNAMES)
    zh_given = set(ZhNames.first_names)
    return frozenset(given), frozenset(family), frozenset(zh_family), frozenset(zh_given)


def name_spans(text: str, *, known_names: Sequence[str] = ()) -> Iterator[Span]:
    yield from _known(text, known_names)
    yield from _english(text)
    yield from _chinese(text)


def _known(text: str, known_names: Sequence[str]) -> Iterator[Span]:
    for name in sorted({n for n in known_names if len(n.strip()) >= 2}, key=len, reverse=True):
        boundary = "" if _CJK.search(name) else r"(?<![A-Za-z])"
        tail = "" if _CJK.search(name) else r"(?![A-Za-z])"
        for match in re.finditer(boundary + re.escape(name) + tail, text, re.IGNORECASE):
            yield Span("PERSON", match.start(), match.end(), match.group())


def _english(text: str) -> Iterator[Span]:
    given, family, _, _ = _gazetteers()
    for match in _TITLED.finditer(text):
        yield Span("PERSON", match.start(), match.end(), match.group())
    for match in _EN_CANDIDATE.finditer(text):
        title, first, last = match.group(1), match.group(2).lower(), match.group(4).lower()
        known_first = first in given and (first not in _AMBIGUOUS_GIVEN or last in family)
        if title or (known_first and (last in family or last not in _NOT_SURNAMES)):
            start, end = match.start(1) if title else match.start(2), match.end(4)
            yield Span("PERSON", start, end, text[start:end])


def _chinese(text: str) -> Iterator[Span]:
    _, _, zh_family, zh_given = _gazetteers()
    for index, char in enumerate(text):
        surname = text[index : index + 2] if text[index : index + 2] in zh_family else char
        if surname not in zh_family:
            continue
        after_surname = index + len(surname)
        for length in (2, 1):
            given = text[after_surname : after_surname + length]
            if len(given) != length or not all(_CJK.match(c) for c in given):
                continue
            end = after_surname + length
            before_ok = (
                any(text[:index].endswith(cue) for cue in _ZH_BEFORE)
                or index == 0
                or not _CJK.match(text[index - 1])
            )
            after_ok = (
                end == len(text)
                or any(text[end:].startswith(cue) for cue in _ZH_AFTER)
                or not _CJK.match(text[end])
            )
            if (given in zh_given and (before_ok or after_ok)) or (before_ok and after_ok):
                yield Span("PERSON", index, end, text[index:end])
                break
