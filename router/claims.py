"""What a sentence claims, read once: its quantities (numbers with what they count, dates,
times, amounts with their currency, percentages), names, negation, modality and the
conditions it attaches, in English and Chinese.

The support check (router/support.py) compares a drafted sentence's reading with the
readings of its context's sentences; words are the project's own `lexical.terms`, so that
no segmenter is needed."""

import dataclasses
import functools
import re
from dataclasses import dataclass

from ingestion.text import CELL_SEPARATOR, CJK_CHAR, CJK_IDEOGRAPHS, is_lead_in
from router.lexical import terms

# --- units: canonical name → the words that write it ----------------------------------

_UNIT_WORDS = {
    "day": r"days?|working days?|business days?|calendar days?|天|日|个工作日|工作日|个自然日",
    "week": r"weeks?|个?星期|周",
    "month": r"months?|个月",
    "year": r"years?|年",
    "hour": r"hours?|hrs?|个?小时",
    "minute": r"minutes?|mins?|分钟",
    "second": r"seconds?|秒",
    "%": r"%|per ?cent|percent",
    "EUR": r"eur|euros?|€|欧元",
    "USD": r"usd|us\$|\$|dollars?|美元",
    "GBP": r"gbp|£|pounds?|英镑",
    "CNY": r"cny|rmb|¥|yuan|元|人民币|块",
    "km": r"km|kilomet(?:re|er)s?|公里",
    "time": r"times|次",
    "character": r"characters?|个字符|字符",
    "night": r"nights?|晚|夜",
    "person": r"people|persons?|人|名",
}
_UNITS = [(name, re.compile(words, re.I)) for name, words in _UNIT_WORDS.items()]
# A character bigram with a function character or a numeral says nothing of its own ("是李",
# "为六"): the words around it and the figure are judged instead.
_ZH_FUNCTION_OR_NUMERAL = re.compile(
    "[的是了为和与及或也都就将被把之其这那该零〇一二两三四五六七八九十百千万亿]"
)
_FIGURE_OR_UNIT = re.compile(r"\d+(?:st|nd|rd|th)?|" + "|".join(_UNIT_WORDS.values()), re.I)
_UNIT_AFTER = re.compile(
    r"\s*-?\s*(?:full |whole |consecutive |more |additional |)("
    + "|".join(sorted(_UNIT_WORDS.values(), key=len, reverse=True))
    + r")(?![a-z])",
    re.I,
)
_CURRENCY_BEFORE = re.compile(r"(eur|usd|gbp|cny|rmb|us\$|[€$£¥]|人民币)\s*$", re.I)
_WORD_AFTER = re.compile(r"\s*-?\s*([a-z]{3,})", re.I)

_DIGITS = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+"
_NUMBER = re.compile(
    rf"(?<![A-Za-z0-9_.\-/])({_DIGITS})(\.\d+)?(½)?(?:\s*(thousand|million|billion|万|亿|千)(?![a-z]))?", re.I
)
_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "千": 1e3, "万": 1e4, "亿": 1e8}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "ninety": 90, "hundred": 100, "half": 0.5,
}  # fmt: skip
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.I)

_CN_DIGIT = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_NUMBER = re.compile(
    r"(?<!第)([零〇一二两三四五六七八九十百千万亿]+)(?=个?[天日周月年小时分钟秒元次位名人晚倍岁])"
)
_PERCENT_CN = re.compile(r"百分之([零〇一二两三四五六七八九十百]+|\d+(?:\.\d+)?)")

_MONTHS_TEXT = "january february march april may june july august september october november december"
_MONTHS = _MONTHS_TEXT.split()
_MONTH = r"(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_DATE_DM = re.compile(rf"(?<![\d.])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}\b")
_DATE_MD = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*(?:days?|weeks?|months?|years?|%))")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_DATE_CN = re.compile(r"(?:(\d{4})\s*年\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?")
_DATE_PARTS = ("date-year", "date-month", "date-day")
_TIME = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?![\d:])")
_LIST_MARKER = re.compile(r"(?m)^\s*(?:\d{1,2}[.)]|[-*•])\s+")

# --- names, negation, modality, conditions ------------------------------------------------

_CJK_RUN = re.compile(f"[{CJK_IDEOGRAPHS}]+")
_CAPITALISED = re.compile(r"(?<![\w<])([A-Z][\w'&-]*(?:\s+(?:of\s+)?[A-Z][\w'&-]*)*)")
_CODE = re.compile(r"(\b[A-Z]{1,5}-?\d+[A-Z]?|<[A-Z]+_\d+>)")
_NOT_NAMES_TEXT = "i a the this these those it its if when where what who how yes no of"
_NOT_NAMES = frozenset(_NOT_NAMES_TEXT.split())
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|cannot|nothing|nobody)\b|n't|不(?!论|仅|但|同|久|少|断|错)|没有|没|未(?!来)|无(?!论)|勿|禁止|非(?!常)",
    re.I,
)
_MUST = re.compile(
    r"\b(?:must|shall|required?|requires|mandatory|needs?|needed|have to|has to|obliged)\b|必须|须|需|应当|应该|务必|要求",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:possibl[ey]|perhaps|probably|likely|unclear|reportedly|may have|might|no indication)\b|可能|也许|或许|据说|据提议",
    re.I,
)
_MAY = re.compile(r"\b(?:may|can|could|allowed|permitted|optional|able)\b|可以|可|允许|能够?", re.I)
_CONDITION = re.compile(
    r"\b(?:if|unless|only|except|provided|subject to|fallback|as long as)\b|^\s*when\b"
    r"|\bwith(?:out)? (?:the )?(?:\w+ ){0,3}(?:approval|consent|permission)|\b(?:needs?|requires?) (?:\w+ ){0,3}approval"
    r"|如果|假如|若|除非|只有|仅|方可|才能|才可|经[^，。；]{0,15}?(?:批准|同意|审批)|须经|需经|前提|否则|情况下|的[，,]",
    re.I,
)
# When a figure holds, said where its clause begins: "After probation the notice period is…",
# "During the first year, …", "试用期满后，…", "如需出差，…". The word that opens (or, in
# Chinese, closes) it is what a draft must keep with its words: "during" is not "after".
_SCOPE_EN = re.compile(r"\s*(after|during|before|until|once|upon|following)\s+", re.I)
_SCOPE_EN_STOP = re.compile(
    r"\s(?:the|a|an|your|you|we|employees?|it|they|all|each|every|staff|this|these)\b|[,;:]", re.I
)
_SCOPE_ZH = re.compile(
    r"\s*((如)(?![何下果此])[^，,。；;]{1,14}|[^，,。；;]{1,14}?(期间|之后|以后|之前|以前|后|前|时|期内))[，,]"
)
_SCOPE_MAX_WORDS = 6
# A verb before the first comma: the comma ends the statement, not its opening scope.
_FINITE_VERB = re.compile(
    r"\b(?:is|are|was|were|has|have|had|must|may|can|will|shall|should|gets?|receives?)\b", re.I
)
# A column's name that makes its values conditional: "Fallback (needs Legal approval)".
_CONDITIONAL_COLUMN = re.compile(rf"{_CONDITION.pattern}|approv|consent|批准|审批|同意", re.I)
# "…unless the contract says otherwise": a default, stated fairly without its exception.
_DEFAULT = re.compile(r"\bunless\b[^,;.]*\botherwise\b", re.I)
# Cues whose condition is what comes before them in the clause.
_CONDITION_BEFORE = ("的,", "的，", "方可", "才能", "才可")
_WHOSE_APPROVAL = re.compile(r"(?:approval|consent|permission|批准|同意|审批)$")
_CLAUSE_END = re.compile(r"[;；。]|(?<=\S)\s+·\s+")
# Where a sentence joins two statements, each with its own negation: "…in Workday; verbal
# approval is not enough", "…, but…", "…，但…".
_STATEMENT_END = re.compile(r"[;；。]|,\s*(?:but|while|whereas)\b|，\s*(?:但|而|却)")
_NEAR_END = re.compile(r"[,，;；:：、()（）]|\s+(?:and|or|but|while|whereas)\s+")
_CONDITION_END = re.compile(r"[,，;；。]")
# Where a figure's statement ends for what it is said of: "reported within 1 hour, so that IT
# can lock it" states the hour of the reporting, not of the locking. Commas do not end it
# ("Within 10 days of notice, the Supplier repairs…"), nor "but" ("…可先行付款，但须在 2 个
# 工作日内补办"), whose figure still belongs to what comes before.
_SCOPE_END = re.compile(
    r"[;；。]|\s+(?:so that|so as to|in order to|because)\s+|以便|以免|从而|以确保|因此|所以"
)
# Who does what: "issued by IT", "由 IT 部门发放", "被公司录用". A date or figure after "by" is a deadline.
_AGENT_EN = re.compile(r"\bby\s+(?:the\s+|an?\s+|your\s+|their\s+|its\s+|our\s+)?([A-Za-z][\w&'-]*)", re.I)
_AGENT_ZH = re.compile(rf"(?<![理自经缘])[由被](?!于|此)\s*([A-Za-z]+|[{CJK_IDEOGRAPHS}]{{2}})")
# Words every sentence may use without the context: they carry no fact.
_FILLER_TEXT = """
    has have had will would should can could may must also there they you your we our us i he she
    according context passage passages document documents say says said state states stated mention
    mentions mentioned answer question provide provides provided information detail details based
    following here yes not no any all each
    根据 文中 中的 所以 是的 答案 回答 上下 下文 因此
"""
_FILLER = frozenset(_FILLER_TEXT.split())


_NOT_A_NAME = _NOT_NAMES | _FILLER


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str  # a key of _UNIT_WORDS, "date-day"/"date-month"/"date-year", "clock", or ""
    noun: str  # for a count without a known unit, the stemmed word after it ("point")
    start: int
    end: int
    near: frozenset[str] = frozenset()  # the content words of its clause: what it is said of
    clause: int = 0  # which clause of its sentence holds it
    scope: frozenset[str] = frozenset()  # the content words of its statement (_SCOPE_END)


@dataclass(frozen=True)
class Condition:
    start: int  # the stretch of the sentence the condition governs
    end: int
    text: str  # the condition itself ("If Legal approves", "Fallback (needs Legal approval)")
    terms: frozenset[str]
    marker: str = ""  # for a scope, the word a draft must say with it ("after", "后")


@dataclass(frozen=True)
class Statement:
    """One statement of a sentence, its conditions left out: "If Legal approves, it may…"
    states "may"; "未按时完成培训的员工，其权限将被暂停" states no negation (the condition does)."""

    terms: frozenset[str]
    negated: bool
    must: bool
    may: bool
    hedged: bool  # "it is possible that…", "可能"


@dataclass(frozen=True)
class Reading:
    text: str
    terms: frozenset[str]  # content words (Chinese as character bigrams), numbers and filler left out
    quantities: tuple[Quantity, ...]
    conditions: tuple[Condition, ...]
    chinese: bool
    statements: tuple[Statement, ...]
    agents: frozenset[str]  # who acts in a passive clause: "issued by IT" → "it"
    scopes: tuple[Condition, ...] = ()  # when its clauses' figures hold ("After probation")


def read(text: str) -> Reading:
    """What `text` claims. Pure and deterministic."""
    text = _LIST_MARKER.sub("", text.replace("**", ""))
    # A lead-in ("Two rules:") frames what follows it; the words that claim are after it.
    claimed = "\n".join(line for line in text.splitlines() if not is_lead_in(line)) or text
    found = conditions(text)
    stated = text
    for condition in found:
        stated = stated.replace(condition.text, " ")
    return Reading(
        text=text,
        terms=content_terms(claimed),
        quantities=tuple(quantities(text)),
        conditions=tuple(found),
        chinese=len(CJK_CHAR.findall(text)) * 2 > len(text.split()),
        statements=tuple(_statement(part) for part in _STATEMENT_END.split(stated) if part and part.strip()),
        agents=agents(text),
        scopes=tuple(scopes(text)),
    )


def agents(text: str) -> frozenset[str]:
    """The agents of a sentence's passive clauses, lower-cased: the word after "by" (not a
    date, month or figure), the word or two characters after 由/被."""
    found = {m.group(1).lower().removesuffix("'s") for m in _AGENT_EN.finditer(text)}
    found |= {m.group(1).lower() for m in _AGENT_ZH.finditer(text)}
    return frozenset(a for a in found if not re.fullmatch(_MONTH, a, re.I))


def _statement(text: str) -> Statement:
    return Statement(
        terms=content_terms(text),
        negated=_NEGATION.search(text) is not None,
        must=_MUST.search(text) is not None,
        may=_MAY.search(text) is not None,
        hedged=_HEDGE.search(text) is not None,
    )


def content_terms(text: str) -> frozenset[str]:
    """The words a sentence is judged by: figures and units are judged as quantities."""
    return frozenset(
        t
        for t in terms(text)
        if t not in _FILLER and not _FIGURE_OR_UNIT.fullmatch(t) and not _ZH_FUNCTION_OR_NUMERAL.search(t)
    )


def quantities(text: str) -> list[Quantity]:
    """Every figure with what it counts. Dates and clock times first, so that their parts
    are not read again as plain numbers."""
    found = _dates_and_times(text)

    def free(start: int, end: int) -> bool:
        return all(end <= q.start or start >= q.end for q in found)

    for m in _NUMBER.finditer(text):
        if free(m.start(), m.end()):
            value = float(m.group(1).replace(",", "") + (m.group(2) or "")) + (0.5 if m.group(3) else 0)
            value *= _SCALE.get((m.group(4) or "").lower(), 1)
            unit, noun = _unit(text, m.start(), m.end())
            if (
                unit == "year"
                and 1900 <= value <= 2100
                and text[m.end() : m.end() + 2].strip().startswith("年")
            ):
                unit = "date-year"
            found.append(Quantity(value, unit, noun, m.start(), m.end()))
    for m in _CN_NUMBER.finditer(text):
        if free(m.start(), m.end()):
            unit, noun = _unit(text, m.start(), m.end())
            found.append(Quantity(_cn_value(m.group(1)), unit, noun, m.start(), m.end()))
    for m in _NUMBER_WORD.finditer(text):
        unit, _ = _unit(text, m.start(), m.end())
        if unit and free(m.start(), m.end()):  # "two weeks" is a claim; "two rules:" frames a list
            found.append(Quantity(float(_NUMBER_WORDS[m.group(1).lower()]), unit, "", m.start(), m.end()))
    return [
        dataclasses.replace(
            q,
            near=_clause_terms(text, q.start, q.end),
            clause=len(_NEAR_END.findall(text, 0, q.start)),
            scope=_scope_terms(text, q.start),
        )
        for q in found
    ]


def _scope_terms(text: str, start: int) -> frozenset[str]:
    """Content words of the statement that holds the figure at text[start]."""
    begin = max((m.end() for m in _SCOPE_END.finditer(text, 0, start)), default=0)
    stop = _SCOPE_END.search(text, start)
    return content_terms(text[begin : stop.start() if stop else len(text)])


def _dates_and_times(text: str) -> list[Quantity]:
    """Dates as their day, month and year; clock times in minutes; 百分之二十 as 20 %."""
    found: list[Quantity] = []
    for m in _DATE_ISO.finditer(text):
        for value, unit in zip(m.groups(), _DATE_PARTS, strict=True):
            found.append(Quantity(float(value), unit, "", m.start(), m.end()))
    for m in _DATE_CN.finditer(text):
        if text[max(0, m.start() - 1) : m.start()] != "个" and (m.group(1) or m.group(3)):
            for value, unit in zip(m.groups(), _DATE_PARTS, strict=True):
                if value:
                    found.append(Quantity(float(value), unit, "", m.start(), m.end()))
    for pattern, day_group in ((_DATE_DM, 1), (_DATE_MD, 2)):
        for m in pattern.finditer(text):
            name = m.group(3 - day_group)[:3].lower()
            month = next(i for i, full in enumerate(_MONTHS, 1) if full.startswith(name))
            found.append(Quantity(float(m.group(day_group)), "date-day", "", m.start(), m.end()))
            found.append(Quantity(float(month), "date-month", "", m.start(), m.end()))
    for m in _TIME.finditer(text):
        found.append(Quantity(int(m.group(1)) * 60 + int(m.group(2)), "clock", "", m.start(), m.end()))
    for m in _PERCENT_CN.finditer(text):
        found.append(Quantity(_cn_value(m.group(1)), "%", "", m.start(), m.end()))
    return found


def _clause_terms(text: str, start: int, end: int) -> frozenset[str]:
    """Content words of the clause around the figure at text[start:end], the figure and
    units left out."""
    begin = max((m.end() for m in _NEAR_END.finditer(text, 0, start)), default=0)
    stop = _NEAR_END.search(text, end)
    clause = text[begin:start] + " " + text[end : stop.start() if stop else len(text)]
    return content_terms(_UNIT_AFTER.sub(" ", _NUMBER_WORD.sub(" ", clause)))


def _unit(text: str, start: int, end: int) -> tuple[str, str]:
    """The known unit a figure is written with, or else the word (or character) after it."""
    before = _CURRENCY_BEFORE.search(text[max(0, start - 8) : start])
    if before:
        return unit_named(before.group(1)), ""
    after = _UNIT_AFTER.match(text, end)
    if after:
        return unit_named(after.group(1)), ""
    word = _WORD_AFTER.match(text, end)
    if word:
        return "", next(iter(terms(word.group(1))), "")
    rest = text[end : end + 2].strip()
    return "", rest[:1] if rest and CJK_CHAR.match(rest) else ""


@functools.lru_cache(maxsize=256)
def unit_named(surface: str) -> str:
    return next((name for name, words in _UNITS if words.fullmatch(surface)), "")


def unit_written_in(unit: str, text: str) -> bool:
    """Whether `text` writes `unit` anywhere ("52,000 to 61,000 EUR" writes EUR for both)."""
    words = dict(_UNITS).get(unit)
    return bool(words and words.search(text))


def _cn_value(numeral: str) -> float:
    """五万 → 50000, 十八 → 18, 两千五百 → 2500, 3.5 → 3.5."""
    if numeral[0].isdigit():
        return float(numeral)
    total, section, digit = 0.0, 0.0, 0.0
    for char in numeral:
        if char in _CN_DIGIT:
            digit = _CN_DIGIT[char]
        elif char in _CN_SMALL:
            section += (digit or 1) * _CN_SMALL[char]
            digit = 0
        else:  # 万, 亿
            total = (total + section + digit) * (1e4 if char == "万" else 1e8)
            section = digit = 0
    return total + section + digit


def names(text: str) -> list[str]:
    """Capitalised words past a sentence's first word (and the first when a capitalised word
    follows it), codes (G7, LEG-07, placeholders), Chinese people's names, Chinese place and
    organisation names of two characters or more (南京路, without an administrative
    suffix: 重庆市 as 重庆), and Chinese words in a sentence of another language (上海 in
    "the limit in 上海 is…" names a place)."""
    found = [m.group(1).lower() for m in _CODE.finditer(text)]
    for m in _CAPITALISED.finditer(text):
        words = m.group(1).split()
        starts_sentence = not text[: m.start()].strip() or text[: m.start()].rstrip()[-1:] in ".:!?\n"
        if starts_sentence and not words[0].isupper():  # "With Legal…": capitalised as a first word
            words = words[1:]
        found.extend(w.lower().removesuffix("'s") for w in words if w.lower() not in _NOT_A_NAME)
    if CJK_CHAR.search(text):
        from router.pii.names import name_spans

        if len(CJK_CHAR.findall(text)) * 2 <= len(text.split()):
            found.extend(_CJK_RUN.findall(text))

        found.extend(text[s.start : s.end] for s in name_spans(text))
        found.extend(_chinese_proper_nouns(text))
    return found


_PROPER_NOUN_TAGS = {"ns", "nt", "nz"}  # jieba's tags: place, organisation, other proper noun
_ADMINISTRATIVE_SUFFIX = "省市县区镇乡村州"
MIN_PROPER_NOUN_CHARS = 2  # one character is tagged too loosely ("埃")


def _chinese_proper_nouns(text: str) -> list[str]:
    """Why names and not bigrams alone: a draft's 南京路小学 shares three of its four bigrams
    with a passage's 南昌路小学; the name is what differs, so it must be the passage's."""
    import jieba.posseg

    from router.pii.zh_words import segmenter

    segmenter()  # the one dictionary, read once per process
    found = []
    for word, tag in jieba.posseg.dt.cut(text):
        if tag in _PROPER_NOUN_TAGS and len(word) >= MIN_PROPER_NOUN_CHARS and CJK_CHAR.match(word):
            stripped = word[:-1] if word[-1] in _ADMINISTRATIVE_SUFFIX and len(word) > 2 else word
            found.append(stripped)
    return found


def conditions(text: str) -> list[Condition]:
    """Each condition and the stretch it governs: a table cell whose column's name carries
    it ("Fallback (needs Legal approval): 18 months"), or the clause it opens or closes."""
    if CELL_SEPARATOR in text:
        return _cell_conditions(text)
    found, start = [], 0
    for end in [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]:
        clause = text[start:end]
        cue = _CONDITION.search(clause)
        if cue and not _DEFAULT.search(clause, cue.start()):
            stop = _CONDITION_END.search(clause, cue.end())
            condition = clause[cue.start() : stop.start() if stop else len(clause)]
            if _WHOSE_APPROVAL.search(cue.group()):  # 经首席财务官批准, with Legal's approval: just that
                condition = cue.group()
            if cue.group().endswith(_CONDITION_BEFORE):  # 超过 5 个工作日未处理的，… / 试用期满后方可…
                condition = clause[: cue.start()]
            found.append(Condition(start, end, condition.strip(), content_terms(condition)))
        start = end
    return found


def scopes(text: str) -> list[Condition]:
    """The time or case a clause's figures hold in, where the clause begins, over the rest of
    the clause: "After probation" over "…the notice period is 1 month for G1 to G4, 2 months
    for G5…"; the year in "After the founding of the colony in 1788" is the scope's own."""
    found, start = [], 0
    for end in [m.start() for m in _CLAUSE_END.finditer(text)] + [len(text)]:
        scope = _scope_en(text, start, end) or _scope_zh(text, start, end)
        if scope:
            found.append(scope)
        start = end
    return found


def _scope_en(text: str, start: int, end: int) -> Condition | None:
    cue = _SCOPE_EN.match(text, start, end)
    if not cue:
        return None
    comma = text.find(",", cue.end(), end)
    if comma > 0 and not _FINITE_VERB.search(text, cue.end(), comma):
        words = text[cue.end() : comma].split()  # "After the founding of the colony in 1788,"
    else:
        stop = _SCOPE_EN_STOP.search(text, cue.end(), end)
        words = text[cue.end() : stop.start() if stop else end].split()[:_SCOPE_MAX_WORDS]
    if not words:
        return None
    said = f"{cue.group(1)} {' '.join(words)}"
    governed = text.index(words[-1], cue.end()) + len(words[-1])
    return Condition(governed, end, said, content_terms(said), cue.group(1).lower())


def _scope_zh(text: str, start: int, end: int) -> Condition | None:
    cue = _SCOPE_ZH.match(text, start, end)
    if not cue:
        return None
    marker = cue.group(2) or cue.group(3)[-1]
    return Condition(cue.end(1), end, cue.group(1), content_terms(cue.group(1)), marker)


def _cell_conditions(row: str) -> list[Condition]:
    found, start = [], 0
    for cell in row.split(CELL_SEPARATOR):
        header = cell.split(":", 1)[0] if ":" in cell else ""
        if header and _CONDITIONAL_COLUMN.search(header):
            found.append(Condition(start, start + len(cell), header.strip(), content_terms(header)))
        start += len(cell) + len(CELL_SEPARATOR)
    return found


def is_list_item(text: str) -> bool:
    return _LIST_MARKER.match(text) is not None


def has_condition(text: str) -> bool:
    return _CONDITION.search(text) is not None
