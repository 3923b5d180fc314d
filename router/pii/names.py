"""People's names without a statistical NER model (none ships offline here).

English: capitalised word pairs whose first word is a known given name, or that follow a title
("Ms."), or whose second word is a known surname right after a cue such as "contact" or
"signed by". Chinese: a known surname followed by one or two given-name characters, accepted
when it sits in a name's slot (after 联系人/员工/审批人/发给…, before 先生/女士/的…, or
between punctuation). Directory names always match.

The gazetteers are data files next to this module (`data/`): US census given names and
surnames (public domain), the Hundred Family Surnames and common given-name characters.
"""

import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingestion.text import CJK_CHAR
from router.pii import Span
from router.pii.zh_words import is_everyday_word

_DATA = Path(__file__).parent / "data"
_TITLES = r"(?:Mr|Mrs|Ms|Miss|Dr|Prof|Mx|Sir|Dame)\.?"
_SUFFIXES = r"(?:Jr\.?|Sr\.?|II|III|IV|MD|PhD|DDS|DVM|Esq\.?)"
_CAP_WORD = r"[A-Z][a-z]+(?:['-][A-Z][a-z]+)?"  # O'Brien, Smith-Jones; not the "'s" of Smith's
# A lookahead, so that "Ask Maria Gonzalez" is also tried from "Maria".
_EN_CANDIDATE = re.compile(
    rf"(?<![A-Za-z])(?=(?:({_TITLES})\s+)?({_CAP_WORD})(?:\s+[A-Z]\.)?\s+({_CAP_WORD})"
    rf"(?:,?\s+({_SUFFIXES}))?(?![A-Za-z]))"
)
_INITIALLED = re.compile(
    r"(?<![A-Za-z.])((?:[A-Z]\.\s?){1,2})\s*([A-Z][a-z]+(?:['-][A-Z][a-z]+)?)(?![A-Za-z])"
)
_ALL_CAPS = re.compile(r"(?<![A-Za-z])([A-Z]{2,})\s+([A-Z]{2,})(?![A-Za-z])")
_SINGLE = re.compile(rf"(?<![A-Za-z])({_CAP_WORD})(?![A-Za-z]|\s+[A-Z])")
_TITLED = re.compile(rf"(?<![A-Za-z])({_TITLES})\s+({_CAP_WORD})(?![A-Za-z])")
_EN_CUE = re.compile(
    r"(?<![A-Za-z])(?:contact|manager|owner|hire|employee|colleague|dear|hi|hello|attn|cc|signed by|approved by|"
    r"assigned to|reports to|submitted by|requested by|from|to|for|by|with|thanks|thank you|ask|tell|ping|call)\s*[:,]?\s*$",
    re.IGNORECASE,
)
# Where a person is named by one word no list knows ("Ask Priya", "approved by Oluwaseun", "Kenji
# said"): only where a sentence asks for a person, not "from"/"for", which take places as often.
_PERSON_SLOT_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:ask|tell|ping|contact|dear|hi|hello|hey|thanks|thank you|cc|attn|signed by|approved by|"
    r"reviewed by|assigned to|reports to|handed (?:it )?over to|loop in|looped in|spoke with|speak with|talk to|speak to|"
    r"according to|to|with|by)\s*[:,]?\s*$",
    re.IGNORECASE,
)
# "Our reviewer this quarter is Yusuf": a role that only a person fills, then "is".
_ROLE_IS = re.compile(
    r"(?<![A-Za-z])(?:reviewer|approver|manager|owner|contact|lead|sponsor|supervisor|mentor|buddy|coordinator|"
    r"assignee|organi[sz]er|chair|interviewer|signatory|representative)s?(?:\s+[a-z]+){0,3}\s+"
    r"(?:is|was|will be)\s*:?\s*$",
    re.IGNORECASE,
)
_ROLE_WINDOW = 48
_PERSON_SLOT_AFTER = re.compile(
    r"\s*(?:said|says|wrote|writes|mentioned|confirmed|approved|asked|replied|agreed|thinks|noted|suggested|"
    r"explained|called|emailed|joined|left|will|is on leave|is out|is off|handles|manages|leads|reports)(?![A-Za-z])"
)
# Words after a capitalised word that make it a place or a unit, not a person ("Berlin office").
_NOT_PERSON_AFTER = re.compile(
    r"\s+(?:office|offices|team|teams|department|dept|desk|branch|site|store|hq|headquarters|group|account|"
    r"project|campus|plant|warehouse|admins?)(?![A-Za-z])",
    re.IGNORECASE,
)
# Capitalised words that follow a given name without being a surname ("Victoria Street").
_NOT_SURNAMES = frozenset((
    "street", "road", "avenue", "drive", "square", "policy", "policies", "team", "office", "department",
    "center", "centre", "building", "university", "college", "school", "hospital", "bank", "group", "inc",
    "ltd", "corp", "company", "project", "update", "report", "plan", "police", "council", "government",
    "airport", "station", "river", "county", "city", "state", "island", "bay", "district", "act", "festival",
    "constitution", "institute", "museum", "church", "cathedral", "mountain", "lake", "beach", "valley",
    "catholic", "catholics", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december",
))  # fmt: skip

# Role nouns right before a name: after one of them, any one or two characters may be a given name.
_ZH_ROLES = (
    "联系人", "员工", "审批人", "经理", "负责人", "申请人", "同事", "报销人", "收件人", "签字人", "客户", "主管",
    "总监", "专员", "助理", "老师", "候选人", "出差人", "姓名", "代表", "乙方", "甲方", "对接人", "接口人", "审核人",
    "经办人", "领导", "组长", "工程师",
)  # fmt: skip
_ZH_BEFORE = (
    *_ZH_ROLES, "联系", "致", "由", "发给", "交给", "转给", "转交", "请", "与", "和", "给", "找", "问", "谢谢", "感谢",
    "抄送", "通知", "提醒", "告诉", "一下",
    "部的", "组的", "处的", "科的", "团队的", "中心的", "办的",
)  # fmt: skip
# Cues that also join everyday words ("德国语言和文学", "由王朝统治"): they make a slot, but an
# everyday word after them stays that word.
_ZH_WEAK_BEFORE = ("与", "和", "给", "由", "致", "请")
_ZH_STRONG_BEFORE = tuple(cue for cue in _ZH_BEFORE if cue not in _ZH_WEAK_BEFORE)  # 发给 stays strong
_ZH_TITLE_AFTER = ("先生", "女士", "小姐", "经理", "总监", "主管", "同学", "老师", "同志")
_ZH_AFTER = (
    "的", "说", "已", "将", "负责", "提交", "于", "在", "电话", "手机", "邮箱", "审批", "确认", "签字", "申请", "联系",
    "和", "与", "及", "等", "是", "会", "来", "去", "请", "发", "收", "处", "对接", "就行", "整理", "下周", "明天",
    "今天", "休假", "出差", "同意", "批准", "审核", "处理", "安排",
)  # fmt: skip
_ZH_CUE_GAP = "：: "
_ZH_PUNCTUATION = "，。、；：！？（）《》“”,.;:!?()"
_CUE_WINDOW = 16  # characters before a candidate name searched for a cue


@dataclass(frozen=True)
class _Gazetteers:
    given: frozenset[str]
    family: frozenset[str]
    common: frozenset[str]
    ordinary: frozenset[str]
    zh_family: frozenset[str]
    zh_given: frozenset[str]


def _lines(name: str) -> frozenset[str]:
    text = (_DATA / name).read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@functools.cache
def _gazetteers() -> _Gazetteers:
    return _Gazetteers(
        given=_lines("en_given_names.txt"),
        family=_lines("en_surnames.txt"),
        common=_lines("en_common_words.txt"),
        ordinary=_lines("en_ordinary_words.txt"),
        zh_family=_lines("zh_surnames.txt"),
        zh_given=_lines("zh_given_chars.txt"),
    )


def surnames() -> frozenset[str]:
    """English surnames, lower-cased (the census list)."""
    return _gazetteers().family


def name_spans(text: str, *, known_names: Sequence[str] = ()) -> list[Span]:
    """Candidate spans, possibly overlapping; the caller merges overlapping ones. A part of a
    name found once ("Fletcher" of "Daniel Fletcher") is a name wherever else it stands."""
    found = [*_known(text, [*known_names, *_names_in_emails(text)]), *_english(text)]
    parts = {part for span in found for part in name_parts(span.value)}
    return [*found, *_known(text, sorted(parts)), *_chinese(text), *_chinese_titled(text)]


def name_parts(name: str) -> list[str]:
    """The words of a Latin name that identify on their own ("Fletcher" of "Mr Daniel Fletcher"):
    not titles, initials or everyday words."""
    common = _gazetteers().common
    return [
        word
        for word in re.findall(_CAP_WORD, name.title() if name.isupper() else name)
        if len(word) >= 3 and word.lower() not in common and not re.fullmatch(_TITLES, word)
    ]


_EMAIL_LOCAL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@[A-Za-z0-9-]+\.[A-Za-z0-9.-]+")


def _names_in_emails(text: str) -> list[str]:
    """ "alice.martin@…" names Alice Martin: the parts of a local part that are known given names
    or surnames are names wherever else they appear capitalised, so no surname is left over."""
    names = _gazetteers()
    found = []
    for match in _EMAIL_LOCAL.finditer(text):
        parts = [p for p in re.split(r"[._+-]|\d+", match.group(1).lower()) if p]
        first_last = len(parts) == 2 and all(p.isalpha() for p in parts)  # priya.raman
        for part in parts:
            known = part in names.given or part in names.family
            if len(part) >= 3 and part not in names.common and (known or first_last):
                found.append(part.capitalize())
    return found


def _known(text: str, known_names: Sequence[str]) -> Iterator[Span]:
    for name in sorted({n.strip() for n in known_names if len(n.strip()) >= 2}, key=len, reverse=True):
        latin = not CJK_CHAR.search(name)
        pattern = rf"(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])" if latin else re.escape(name)
        for match in re.finditer(pattern, text, re.IGNORECASE):
            yield Span("PERSON", match.start(), match.end(), match.group())


def _english(text: str) -> Iterator[Span]:
    names = _gazetteers()
    for match in _TITLED.finditer(text):
        yield Span("PERSON", match.start(), match.end(), match.group())
    for match in _INITIALLED.finditer(text):
        if match.group(2).lower() in names.family:
            yield Span("PERSON", match.start(), match.end(), match.group())
    for match in _ALL_CAPS.finditer(text):
        first, last = match.group(1).lower(), match.group(2).lower()
        if first in names.given and last in names.family and first not in names.common:
            yield Span("PERSON", match.start(), match.end(), match.group())
    for match in _SINGLE.finditer(text):
        word = match.group(1).lower()
        cued = _EN_CUE.search(text[max(0, match.start() - _CUE_WINDOW) : match.start()]) is not None
        if cued and word in names.given and word not in names.common and word not in _NOT_SURNAMES:
            yield Span("PERSON", match.start(1), match.end(1), match.group(1))
    yield from _unknown_single(text)
    for match in _EN_CANDIDATE.finditer(text):
        title, first, last, suffix = match.groups()
        cued = _EN_CUE.search(text[max(0, match.start() - _CUE_WINDOW) : match.start()]) is not None
        if title or _english_pair(first.lower(), last.lower(), cued=cued):
            start = match.start(1) if title else match.start(2)
            end = match.end(4) if suffix else match.end(3)
            yield Span("PERSON", start, end, text[start:end])


def _unknown_single(text: str) -> Iterator[Span]:
    """One capitalised word that is no ordinary word, in a slot only a person fills."""
    names = _gazetteers()
    for match in _SINGLE.finditer(text):
        word = match.group(1)
        lower = word.lower()
        if len(word) < 3 or lower in names.ordinary or lower in names.common or lower in _NOT_SURNAMES:
            continue
        if re.fullmatch(_TITLES, word) or _NOT_PERSON_AFTER.match(text, match.end()):
            continue
        before = text[max(0, match.start() - _CUE_WINDOW) : match.start()]
        role_before = _ROLE_IS.search(text[max(0, match.start() - _ROLE_WINDOW) : match.start()])
        if _PERSON_SLOT_BEFORE.search(before) or role_before or _PERSON_SLOT_AFTER.match(text, match.end()):
            yield Span("PERSON", match.start(1), match.end(1), word)


# Chinese names written in pinyin ("Chen Jing", "Jing Chen"): a common surname next to one
# or two pinyin syllables.
_PINYIN_SURNAMES = frozenset(
    [
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "lin",
        "gao",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "zeng",
        "xiao",
        "tian",
        "dong",
        "pan",
        "yuan",
        "cai",
        "jiang",
        "yu",
        "du",
        "ye",
        "cheng",
        "wei",
        "su",
        "lu",
        "ding",
        "ren",
        "shen",
        "yao",
        "jin",
        "fu",
        "zhong",
        "cui",
        "tan",
        "liao",
        "fan",
        "qian",
        "dai",
        "lei",
        "xiong",
        "mao",
        "hao",
        "kong",
        "shi",
        "bai",
        "qin",
        "xue",
        "yan",
        "mo",
        "ouyang",
        "situ",
    ]
)
_PINYIN_GIVEN = re.compile(
    r"(?:(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?(?:iang|iong|uang|ang|eng|ing|ong|ian|iao|uai|uan|ai|ao|an|ei|en|er"
    r"|ia|ie|in|iu|ou|ua|ui|un|uo|ue|a|e|i|o|u)){1,2}"
)


def _pinyin_name(first: str, last: str) -> bool:
    return (first in _PINYIN_SURNAMES and _PINYIN_GIVEN.fullmatch(last) is not None) or (
        last in _PINYIN_SURNAMES
        and _PINYIN_GIVEN.fullmatch(first) is not None
        and first not in _PINYIN_SURNAMES
    )


def _english_pair(first: str, last: str, *, cued: bool) -> bool:
    """A known given name starts a name unless it is also an everyday word ("Will", "Grant");
    then, as for an unknown first word after a cue, the second word must be a known surname."""
    names = _gazetteers()
    if last in _NOT_SURNAMES:
        return False
    if _pinyin_name(first, last):
        return True
    if first in names.given and first not in names.common:
        # "Ping Reception", "Rose Garden": both words everyday ones, neither a surname.
        return last in names.family or not (first in names.ordinary and last in names.ordinary)
    return last in names.family and (first in names.given or (cued and first not in names.common))


def _chinese(text: str) -> Iterator[Span]:
    names = _gazetteers()
    for index, char in enumerate(text):
        if not CJK_CHAR.match(char):
            continue
        surname = text[index : index + 2] if text[index : index + 2] in names.zh_family else char
        if surname not in names.zh_family or _counted(text, index):  # 第11任, 1万石, 三张
            continue
        before = text[max(0, index - _CUE_WINDOW) : index].rstrip(_ZH_CUE_GAP)
        after_role = before.rstrip("是为").endswith(_ZH_ROLES)  # 负责人是佟悦
        cued_before = after_role or before.endswith(_ZH_BEFORE)
        in_slot = cued_before or index == 0 or not CJK_CHAR.match(text[index - 1])
        given_at = index + len(surname)
        ends = _given_ends(text, given_at, names.zh_given.__contains__)
        end = next((e for e in ends if _zh_name_ends_at(text, e, in_slot=in_slot)), None)
        if end is None and ends and after_role:
            end = ends[0]  # most given names have two characters
        if end is None and (after_role or cued_before):  # given-name characters we do not know all of
            end = next(
                (
                    e
                    for e in _given_ends(text, given_at, CJK_CHAR.fullmatch)
                    if _zh_closed_at(text, e)
                    and (after_role or any(map(names.zh_given.__contains__, text[given_at:e])))
                ),
                None,
            )
        if end is None:
            continue
        titled = text.startswith(_ZH_TITLE_AFTER, end)
        strongly_cued = after_role or before.endswith(_ZH_STRONG_BEFORE)
        if strongly_cued or titled or not is_everyday_word(text[index:end]):  # 明天出差 is tomorrow
            yield Span("PERSON", index, end, text[index:end])


# A surname and a title or a familiar prefix: 王总, 李工, 张老师, 老王, 小李.
# Surnames common enough to follow 老/小 as a nickname; not 于 or 时, which make 小于 and 小时.
_ZH_FAMILIAR = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢崔钟谭陆汪范金廖贾夏邹孟熊秦邱薛"
)
_ZH_TITLES = (
    "总经理",
    "董事长",
    "总监",
    "经理",
    "主任",
    "老师",
    "教授",
    "博士",
    "律师",
    "医生",
    "先生",
    "女士",
    "小姐",
    "总",
    "工",
)


def _chinese_titled(text: str) -> Iterator[Span]:
    """A title alone makes a surname a person only where the title ends a word: "周总说" is
    Mr Zhou speaking, "周总结" is a weekly summary."""
    names = _gazetteers()
    for index, char in enumerate(text):
        if char not in names.zh_family:
            continue
        familiar = (
            index > 0 and text[index - 1] in "老小" and char in _ZH_FAMILIAR and not _counted(text, index - 1)
        )
        start = index - 1 if familiar else index
        title = next((t for t in _ZH_TITLES if text.startswith(t, index + 1)), "" if familiar else None)
        in_slot = index == 0 or not CJK_CHAR.match(text[index - 1]) or text[:index].endswith(_ZH_BEFORE)
        if title is None or not (familiar or in_slot) or _counted(text, index):  # 张晓梅女士 is not 梅女士
            continue
        end = index + 1 + len(title)
        if familiar or end == len(text) or not CJK_CHAR.match(text[end]) or text.startswith(_ZH_AFTER, end):
            yield Span("PERSON", start, end, text[start:end])


def _counted(text: str, at: int) -> bool:
    """ "一小张纸", "三小时", "第11任": after a numeral 小 is "small" and a surname a measure word."""
    return at > 0 and text[at - 1] in "一二三四五六七八九十两几半每0123456789"


def _given_ends(text: str, start: int, is_given: Callable[[str], object]) -> list[int]:
    """Where a given name of two, then of one character, starting at `start`, would end."""
    return [
        start + n for n in (2, 1) if start + n <= len(text) and all(map(is_given, text[start : start + n]))
    ]


def _zh_closed_at(text: str, end: int) -> bool:
    return end == len(text) or text[end] in _ZH_PUNCTUATION or text.startswith((*_ZH_TITLE_AFTER, "的"), end)


def _zh_name_ends_at(text: str, end: int, *, in_slot: bool) -> bool:
    """A title (先生, 经理) after the name is enough; a particle (的, 已) or a boundary needs the
    name to start in a slot too, or "方向的" would be a person."""
    if text.startswith(_ZH_TITLE_AFTER, end):
        return True
    bounded = end == len(text) or not CJK_CHAR.match(text[end])
    return in_slot and (bounded or text.startswith(_ZH_AFTER, end))
