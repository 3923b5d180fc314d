"""Resolve (local): a follow-up that leans on the conversation becomes a standalone question
before intent, retrieval, condensing and routing see it.

Rules, not a model: well under a millisecond, nothing to download, and an auditor can see
why a question was rewritten. A follow-up is known by its form: a fragment ("And what about
Shanghai?", "上海呢？", "那试用期呢？"), a pronoun that points back ("Who approves it?",
"它需要谁审批？"), or a question without a subject of its own ("那需要谁审批？"). It is
rewritten from the previous user question: the new entity takes the place of its
counterpart there, or the previous topic fills the pronoun or the gap; when no counterpart
is found the two are joined, so retrieval still sees both. A question that stands alone is
returned unchanged. Only the user's own earlier questions are read, never the answers; what
may leave the machine is the resolved question, which the protect stage de-identifies like
any question.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_LATIN_CHAR = re.compile(r"[A-Za-z]")
_END = re.compile(r"[\s?？.。!！,，]+$")

_EN_AUX = r"is|are|was|were|do|does|did|can|could|should|would|will|must|may|might|has|have|shall"
_EN_PREPOSITIONS = (
    r"for|in|at|on|with|during|after|before|by|from|to|within|under|over|outside|inside|above|below"
)
_EN_CONNECTIVES = re.compile(r"^(?:(?:and|but|so|also|ok|okay|then|well)\b[\s,]*)+", re.IGNORECASE)
_EN_ABOUT = re.compile(r"^(?:(?:what|how)\s+about|what\s+of|same\s+(?:for|with|in))\b[\s,]*", re.IGNORECASE)
_EN_WH = re.compile(r"^(?:what|which|who|whom|whose|where|when|why|how)\b", re.IGNORECASE)
_EN_VERB = re.compile(rf"\b(?:{_EN_AUX}|need|needs|get|gets)\b", re.IGNORECASE)
_EN_PREPOSITION = re.compile(rf"^({_EN_PREPOSITIONS})\s+", re.IGNORECASE)
_EN_PERSON = re.compile(r"\b(?:he|she|him|her|his)\b", re.IGNORECASE)
_EN_PLACE_OR_TIME = re.compile(r"\b(?:there|then)\b", re.IGNORECASE)
# "it", "they"… always point back; "that", "this"… only where they stand for a noun
# ("Who approves that?", "Does this apply…"), not as a determiner or a conjunction.
_EN_PRONOUN = re.compile(
    r"\b(?P<w>it|its|they|them|their|he|she|him|her|his|there|then)\b"
    r"|\b(?P<w2>that|this|these|those)(?=\s*[?.!,]|\s*$)"
    rf"|\b(?:{_EN_AUX})\s+(?P<w3>that|this|these|those)\b",
    re.IGNORECASE,
)
_EN_DUMMY_IT = re.compile(
    r"\b(?:is|was)\s+it\s+(?:allowed|possible|ok|okay|necessary|true|required|mandatory)\b"
    r"|\bit\s+(?:is|'s|was)\s+\w+\s+to\b",
    re.IGNORECASE,
)
_EN_QUESTION_LEAD = re.compile(
    r"^(?:what|which|who|whom|whose|where|when|why|how(?:\s+(?:many|much|long|often|far|soon))?)\s+"
    rf"(?:(?:{_EN_AUX})\s+)?|^(?:{_EN_AUX})\s+",
    re.IGNORECASE,
)
_EN_PHRASE = re.compile(
    rf"\b({_EN_PREPOSITIONS})\s+.+?(?=\s+(?:{_EN_PREPOSITIONS}|and|or|if|when|{_EN_AUX})\b|[,;]|$)",
    re.IGNORECASE,
)
# Capitalised words, codes and amounts after the first word: "London", "Doctor Who", "EUR 5,000".
_NAME_RUN = re.compile(r"(?<=\s)(?:[A-Z0-9][\w,.'-]*)(?:\s+[A-Z0-9][\w,.'-]*)*")
_EN_TOPIC_VERB_LEAD = re.compile(r"\b(?:do|does|did)\s*$", re.IGNORECASE)
_EN_TOPIC_END = re.compile(rf"\s+(?:{_EN_AUX}|need|needs|get|gets|I|we|you)\b", re.IGNORECASE)
_EN_STOP = frozenset(
    f"a an the of to and or {_EN_AUX} {_EN_PREPOSITIONS} what which who how i we you my our".replace(
        "|", " "
    ).split()
)

_ZH_LEAD = re.compile(
    r"^(?:那么|那(?![些个里边时])|还有|还(?=需要|要|可以|能|得|会)|另外|此外|而|如果是|要是|换成|换作|对于|关于)[，,\s]*"
)
_ZH_TAIL = re.compile(r"[呢嘞][\s?？。!！]*$")
_ZH_QUESTION_WORD = re.compile(
    r"什么|多少|几|谁|哪|怎么|怎样|如何|多久|多长|吗|是否|能否|可否|有没有|要不要|是不是"
)
_ZH_PRONOUN = re.compile(r"它们|它|他们|她们|(?<!其)[他她]|这个|那个|这些|那些|这项|这种|该项|此项")
_ZH_PLACE_OR_TIME = re.compile(r"当时|那时|那里|这里")
_ZH_NUMBER = re.compile(r"\d[\d,.]*\s*[万亿千百]?\s*(?:年|元|天|个月|月|小时|分钟|周|次|人|%|欧元|美元)?")
_ZH_SUBJECTLESS = re.compile(
    r"^(?:需要|要|可以|可不可以|能|能不能|应该|应当|必须|得|是不是|是|有没有|有|会|该|谁|由谁|多久|什么时候|怎么|如何|没有|没|不)"
)
# Where a Chinese question's topic ends: at its verb or its question word.
_ZH_TOPIC_END = re.compile(
    r"是|有|需要|要|可以|能|应该|应当|必须|怎么|如何|多少|什么|哪|几|谁|吗|多久|多长|会|由|何|叫"
)
# What separates the content words of a Chinese question (the slots a new entity can fill).
_ZH_FUNCTION = re.compile(
    r"[，,、；;：:（）()\s]|的|是|在|和|与|及|对|给|从|为|被|把|有|要|需要|可以|能|应该|吗|呢|吧|了"
    r"|超过|以上|以下|低于|高于|不超过|多少|什么|哪些|哪个|哪里|哪|几|谁|怎么|怎样|如何|多久|多长"
)
_ENGLISH_WORDS_MAX = {"fragment": 6, "bare_fragment": 3, "pronoun": 12, "subjectless": 3, "continued": 12}
_CHINESE_CHARS_MAX = {
    "fragment": 12,
    "bare_fragment": 4,
    "pronoun": 20,
    "subjectless": 12,
    "bare_subjectless": 8,
}


@dataclass(frozen=True)
class Resolution:
    question: str  # standalone: the follow-up rewritten, or the question as asked
    changed: bool
    previous: str = ""  # the earlier question (itself resolved) that it leaned on


def resolve_question(question: str, history: Sequence[tuple[str, str]]) -> Resolution:
    """The standalone form of `question` given the earlier turns (role, text), oldest first.
    Earlier user questions are resolved in turn, so a chain of follow-ups keeps its topic."""
    previous = ""
    for role, text in history:
        if role == "user" and text.strip():
            previous = _rewrite(text.strip(), previous) or text.strip()
    resolved = _rewrite(question.strip(), previous) if previous else None
    if not resolved or resolved == question.strip():
        return Resolution(question, False)
    return Resolution(resolved, True, previous)


def _is_chinese(text: str) -> bool:
    cjk = len(_CJK_CHAR.findall(text))
    return cjk > 0 and 3 * cjk >= len(_LATIN_CHAR.findall(text))


def _core(text: str) -> str:
    return _END.sub("", text.strip())


def _finish(text: str, *, chinese: bool) -> str:
    text = _core(text)
    return f"{text}？" if chinese else f"{text[:1].upper()}{text[1:]}?"


def _rewrite(question: str, previous: str) -> str | None:
    """The standalone question, or None when `question` does not lean on `previous`."""
    if not previous:
        return None
    return (
        _rewrite_chinese(question, previous)
        if _is_chinese(question)
        else _rewrite_english(question, previous)
    )


def _rewrite_english(question: str, previous: str) -> str | None:
    core = _core(question)
    body = _EN_CONNECTIVES.sub("", core)
    led = body != core
    about = _EN_ABOUT.match(body)
    body = body[about.end() :] if about else body
    words = body.split()
    if not words:
        return None
    limits = _ENGLISH_WORDS_MAX
    fragment = not _EN_WH.match(body) and not _EN_VERB.search(body)
    if about or (fragment and len(words) <= limits["fragment" if led else "bare_fragment"]):
        return _substitute(body, previous)
    if len(words) <= limits["pronoun"] and _EN_PRONOUN.search(body) and not _EN_DUMMY_IT.search(body):
        return _fill_pronoun(body, previous, chinese=False)
    # "And what interest do late payments bear?": the "and" says it continues the topic
    if (led and len(words) <= limits["continued"]) or (
        len(words) <= limits["subjectless"] and _EN_WH.match(body)
    ):
        topic = _topic(previous) or _core(previous)
        return _finish(f"{body} ({topic})", chinese=False)
    return None


def _rewrite_chinese(question: str, previous: str) -> str | None:
    core = _core(question)
    body = _ZH_TAIL.sub("", core)
    cued = body != core
    lead = _ZH_LEAD.match(body)
    body = _core(body[lead.end() :] if lead else body)
    cued = cued or bool(lead)
    if not body:
        return None
    limits = _CHINESE_CHARS_MAX
    pronoun = _ZH_PRONOUN.search(body) or _ZH_PLACE_OR_TIME.search(body)
    fragment = not _ZH_QUESTION_WORD.search(body) and not pronoun
    if fragment and len(body) <= limits["fragment" if cued else "bare_fragment"]:
        return _substitute(body, previous)
    if pronoun and len(body) <= limits["pronoun"]:
        return _fill_pronoun(body, previous, chinese=True)
    if _ZH_SUBJECTLESS.match(body) and len(body) <= limits["subjectless" if cued else "bare_subjectless"]:
        topic = _topic(previous)
        return _finish(f"{topic}{body}" if topic else f"{_core(previous)}，{body}", chinese=True)
    return None


# --- the new entity in the previous question's frame ----------------------------------


def _substitute(fragment: str, previous: str) -> str:
    chinese = _is_chinese(previous)
    frame = _core(previous)
    span = _chinese_slot(fragment, frame) if chinese else _english_slot(fragment, frame)
    if span is not None:
        start, end = span
        if re.search(r"\b(?:the|a|an)\s+$", frame[:start], re.IGNORECASE):
            fragment = re.sub(r"^(?:the|a|an)\s+", "", fragment, flags=re.IGNORECASE)
        return _finish(frame[:start] + fragment + frame[end:], chinese=chinese)
    if chinese:
        return f"{frame}，{fragment}呢？"
    if _EN_PREPOSITION.match(fragment):
        return _finish(f"{frame} {fragment[:1].lower()}{fragment[1:]}", chinese=False)
    return _finish(f"{frame}, and what about {fragment}", chinese=False)


def _english_slot(fragment: str, frame: str) -> tuple[int, int] | None:
    """Where in an English question the fragment's counterpart stands: the phrase after the
    same preposition, the words around a shared head noun, or a name of the same kind."""
    preposition = _EN_PREPOSITION.match(fragment)
    if preposition:
        return _phrase_slot(fragment, preposition.group(1).lower(), frame)
    return _shared_head(fragment, frame) or _name_slot(fragment, frame)


def _phrase_slot(fragment: str, preposition: str, frame: str) -> tuple[int, int] | None:
    """ "for managers" replaces "for new employees"; "for domestic trips" replaces "on
    international trips" (another preposition, a shared word)."""
    phrases = list(_EN_PHRASE.finditer(frame))
    same = [m for m in phrases if m.group(1).lower() == preposition]
    if same:
        return same[-1].span()
    words = {_stem(w) for w in fragment.split()} - _EN_STOP
    related = [m for m in phrases if words & {_stem(w) for w in m.group().split()[1:]}]
    return related[-1].span() if related else None


def _stem(word: str) -> str:
    word = word.lower().strip(".,;:'\"")
    return word[:-1] if len(word) > 3 and word.endswith("s") else word


def _shared_head(fragment: str, frame: str) -> tuple[int, int] | None:
    """ "sick leave" in "How many days of annual leave…": replace the run of content words
    that ends in the fragment's last word ("annual leave")."""
    words = list(re.finditer(r"\S+", frame))
    noun = re.split(rf"\s+(?:{_EN_PREPOSITIONS})\s+", fragment, maxsplit=1)[0].split()  # "the notice period"
    head = _stem(noun[-1])
    for i, word in enumerate(words):
        if _stem(word.group()) != head or head in _EN_STOP:
            continue
        first = i
        while first > max(0, i - len(noun) + 1) and words[first - 1].group().lower() not in _EN_STOP:
            first -= 1
        return words[first].start(), word.end()
    return None


def _name_slot(fragment: str, frame: str) -> tuple[int, int] | None:
    """A name, code or amount ("Shanghai", "上海", "G5", "EUR 10,000") takes the place of the
    last one of the same kind in the question ("London")."""
    if not (_CJK_CHAR.search(fragment) or re.match(r"(?:the\s+)?[A-Z0-9]", fragment)):
        return None
    shape = _name_shape(fragment)
    runs = list(_NAME_RUN.finditer(frame))
    same = [m for m in runs if m.group() != "I" and _name_shape(m.group()) == shape]
    return same[-1].span() if same else None


def _name_shape(text: str) -> tuple[bool, bool]:
    """(has a digit, is an acronym): London and Shanghai match, VPN and G4 stand apart."""
    letters = "".join(_LATIN_CHAR.findall(text))
    return bool(re.search(r"\d", text)), len(letters) >= 2 and letters.isupper()


def _chinese_slot(fragment: str, frame: str) -> tuple[int, int] | None:
    """Where in a Chinese question the fragment's counterpart stands: the amount for an
    amount, the content words sharing most characters with it (年假 for 病假), or for a short
    name the question's first content words (伦敦 for 上海)."""
    segments = _chinese_segments(frame)
    if not segments:
        return None
    if re.search(r"\d", fragment):
        number = _ZH_NUMBER.search(frame)
        return number.span() if number else None
    overlap = [(len(set(fragment) & set(frame[s[0] : s[1]])), s) for s in segments]
    best, segment = max(overlap, key=lambda pair: pair[0])
    if best:
        return _suffix_slot(fragment, frame, segment)
    if not _CJK_CHAR.search(fragment):
        latin = [s for s in segments if not _CJK_CHAR.search(frame[s[0] : s[1]])]
        return latin[-1] if latin else None
    first = segments[0]
    return first if abs((first[1] - first[0]) - len(fragment)) <= 1 and len(fragment) <= 4 else None


def _suffix_slot(fragment: str, frame: str, segment: tuple[int, int]) -> tuple[int, int]:
    """Within a long run of content words, the word sharing the fragment's last character:
    数据保护培训 replaces 信息安全培训, not all of 天内必须完成信息安全培训."""
    start, end = segment
    last = frame.rfind(fragment[-1], start, end)
    if last < 0:
        return segment
    return max(start, last + 1 - len(fragment)), last + 1


def _chinese_segments(frame: str) -> list[tuple[int, int]]:
    """The spans between function words: the content words a new entity can replace."""
    spans, cursor = [], 0
    for match in [*_ZH_FUNCTION.finditer(frame), None]:
        start = match.start() if match else len(frame)
        if start - cursor >= 2 or re.search(r"\d", frame[cursor:start]):
            spans.append((cursor, start))
        cursor = match.end() if match else cursor
    return spans


# --- the previous topic in place of a pronoun ------------------------------------------


def _topic(question: str) -> str:
    """What a question is about: "the probation period for new employees" of "What is the
    probation period for new employees?", "费用报销超过5万元" of "费用报销超过5万元需要谁审批？"."""
    core = _core(question)
    if _is_chinese(core):
        cut = next((m.start() for m in _ZH_TOPIC_END.finditer(core) if m.start() >= 2), len(core))
        return core[:cut].removesuffix("的")
    core = _EN_CONNECTIVES.sub("", core)
    lead = _EN_QUESTION_LEAD.match(core)
    rest = core[lead.end() :] if lead else core
    if lead and lead.group().strip().lower() == "who":  # "Who approves X": X
        rest = rest.partition(" ")[2]
    end = _EN_TOPIC_END.search(rest)
    rest = rest[: end.start()] if end else rest
    # "Where does the Delta in the Netherlands begin": the verb after the name is not the topic
    if lead and _EN_TOPIC_VERB_LEAD.search(lead.group()):
        return re.sub(r"(\b[A-Z]\w*)\s+[a-z]+$", r"\1", rest)
    return rest


def _fill_pronoun(body: str, previous: str, *, chinese: bool) -> str:
    """The previous topic in place of the pronoun ("Can the probation period… be extended?");
    a person's name for he/she; "there" and "then" keep their place and get the topic beside."""
    topic = _topic(previous)
    if chinese:
        if topic and not _ZH_PLACE_OR_TIME.search(body):
            return _finish(_ZH_PRONOUN.sub(topic, body, count=1), chinese=True)
        return _finish(f"{topic or _core(previous)}，{body}", chinese=True)
    match = _EN_PRONOUN.search(body)
    group = match.lastgroup if match else None
    if match is None or group is None or not topic or _EN_PLACE_OR_TIME.fullmatch(match.group(group)):
        return _finish(f"{body} ({topic or _core(previous)})", chinese=False)
    word = match.group(group).lower()
    if _EN_PERSON.fullmatch(word):
        topic = _person(previous) or topic
    filled = f"{topic}'s" if word in ("its", "their", "his") else topic
    return _finish(body[: match.start(group)] + filled + body[match.end(group) :], chinese=False)


def _person(question: str) -> str:
    """The name a "he" or "she" points back to: the question's first name, usually its
    subject ("Luther" in "When did Luther broaden his attacks to include core Church doctrines?")."""
    runs = [m.group() for m in _NAME_RUN.finditer(_core(question)) if not _name_shape(m.group())[1]]
    return runs[0].removesuffix("'s") if runs else ""
