"""Whether a drafted sentence says only what one cited passage says (issue 11).

A small model's draft mixes what a passage says with what it does not: a fallback stated as
the rule, a number with another unit, a "not" lost, who does what swapped. So a sentence is
supported only when one sentence of one passage (of a passage it cites, or of any when it
cites none; a list item with its lead-in) holds all of it at once: its words mostly, each
figure with what it counts and in the statement it belongs to, each name, the same agent,
negation, modality and hedging, and every condition the passage attaches to what it repeats.
Scattered words across the context support nothing.

Deterministic and fast (it runs per sentence while the draft streams): the context is read
once per draft, each sentence once."""

import difflib
import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ingestion.text import CELL_SEPARATOR, CJK_CHAR, CJK_IDEOGRAPHS, is_lead_in, split_sentences
from router.claims import (
    Condition,
    Quantity,
    Reading,
    content_terms,
    has_condition,
    is_list_item,
    names,
    read,
    unit_written_in,
)

# Sentences of one passage that may support one drafted sentence together. Measured on
# bench/data/drafts_dev.jsonl: two let spliced sentences through ("…上午 9:00 到…苏州…报到").
WINDOW = 1
MIN_COVERAGE = 0.75  # of a sentence's content words, in the supporting stretch
MIN_COVERAGE_CHINESE = 0.75  # of its character bigrams, which a paraphrase changes more

_CITATION = re.compile(r"\[(\d+)\]")
_YES = re.compile(r"\byes\b|是的", re.I)
_ASKS = re.compile(r"[?？]")
_FINISHED = re.compile(r"[.!。！”\"')）]\s*$")
# What a quote may not cut from the middle of what it copies: the head of "摘要的结论" (its
# 的 and what follows), of "the conclusion of the summary" (the words up to "of").
_HEAD = re.compile(rf"的[{CJK_IDEOGRAPHS}]{{1,3}}|(?:the |an? )?(?:\w+ ){{0,2}}\w+ of (?:the |an? )?", re.I)
MIN_QUOTED = 4  # characters copied on each side of a cut, for the draft to be a quote
_PASSAGE_LINE = re.compile(r"^\[(\d+)\]\s?(.*)$")


@dataclass(frozen=True)
class Verdict:
    supported: bool
    reason: str = ""  # why not: for logs, the bench and the tests


def check(sentence: str, context: str) -> Verdict:
    """Whether `sentence` is supported by one passage of `context` (lines "[n] text")."""
    draft = read(_CITATION.sub("", sentence))
    if not draft.terms:  # "The answer is no.": nothing a passage could be found to support
        return Verdict(False, "it says nothing that a passage could support")
    if draft.quantities and not any(q.near for q in draft.quantities):
        return Verdict(False, "it gives a figure without saying what it is of")
    passages = _passages(context)
    cited = {int(n) for n in _CITATION.findall(sentence)}
    if cited - passages.keys():
        return Verdict(False, f"it cites [{min(cited - passages.keys())}], which the context does not have")
    candidates = [passages[n] for n in sorted(cited)] if cited else list(passages.values())
    best, best_coverage = "the context has nothing like it", -1.0
    for stretches in candidates:
        for stretch in stretches:
            reason, coverage = _unsupported(draft, stretch)
            if not reason:
                return Verdict(True)
            if coverage > best_coverage:
                best, best_coverage = reason, coverage
    return Verdict(False, best)


def claims_nothing(sentence: str, question: str) -> bool:
    """Whether a drafted sentence says nothing a reader could take for a fact: no figure,
    name, yes or no, condition or word beyond the question's, and, when it has words, asks
    or breaks off rather than states ("[1]", "The answer is:", the question asked back,
    "3. 用户数据电报")."""
    text = _CITATION.sub("", sentence)
    said = read(text)
    if said.quantities or said.conditions or _YES.search(text) or any(s.negated for s in said.statements):
        return False
    if not said.terms <= read(question).terms or not all(name in question.lower() for name in names(text)):
        return False
    # "…designed to look like Oxford Hall." answers "…to look like what Oxford hall?"
    return not said.terms or _ASKS.search(text) is not None or _FINISHED.search(text) is None


@functools.lru_cache(maxsize=64)
def _passages(context: str) -> dict[int, tuple[tuple[Reading, ...], ...]]:
    """The context's passages by citation number, each as the stretches of its sentences'
    readings that may support a drafted sentence."""
    texts: dict[int, list[str]] = {}
    number = 0
    for line in context.splitlines():
        numbered = _PASSAGE_LINE.match(line.strip())
        if numbered:
            number, line = int(numbered.group(1)), numbered.group(2)
        texts.setdefault(number, []).append(line)
    return {n: tuple(_stretches(split_sentences("\n".join(lines)))) for n, lines in texts.items()}


def _stretches(sentences: Sequence[str]) -> Iterator[tuple[Reading, ...]]:
    """Runs of up to WINDOW sentences, and each item of a list with the list's lead-in
    ("员工享有以下福利：" + "- 学习基金：…"), also when condensing has cut it after the lead-in ("…")."""
    readings = [read(s) for s in sentences]
    lead_in: Reading | None = None
    for start, (text, reading) in enumerate(zip(sentences, readings, strict=True)):
        for end in range(start + 1, min(start + WINDOW, len(readings)) + 1):
            yield tuple(readings[start:end])
        if lead_in is not None and (readings[start - 1] is lead_in or is_list_item(text)):
            yield lead_in, reading
        if is_lead_in(text.rstrip(" …")):
            lead_in = reading
        elif not is_list_item(text):
            lead_in = None


def _unsupported(draft: Reading, stretch: Sequence[Reading]) -> tuple[str, float]:
    """Why `stretch` does not support `draft` ("" when it does), and how many of the
    draft's words it holds."""
    words = frozenset().union(*(s.terms for s in stretch))
    coverage = len(draft.terms & words) / len(draft.terms) if draft.terms else 1.0
    if coverage < (MIN_COVERAGE_CHINESE if draft.chinese else MIN_COVERAGE):
        return f"only {coverage:.0%} of its words are in one passage", coverage
    matches = []
    for quantity in draft.quantities:
        match = _matching(quantity, stretch)
        if match is None:
            return f"{_shown(quantity)} is not in the passage", coverage
        matches.append(match)
    if _figures_regrouped(draft.quantities, matches):
        return "it puts together figures that the passage states of different things", coverage
    lowered = " ".join(s.text.lower() for s in stretch)
    missing = [name for name in sorted(set(names(draft.text))) if name not in lowered]
    if missing:
        return f"the passage does not name {missing[0]}", coverage
    theirs = frozenset().union(*(s.agents for s in stretch))
    if theirs and draft.agents - theirs:
        return f"it has {min(draft.agents - theirs)} do what the passage says {min(theirs)} does", coverage
    anchor = matches[0][0] if matches else max(stretch, key=lambda s: len(s.terms & draft.terms))
    return (
        _meaning_differs(draft, stretch)
        or _condition_dropped(draft, anchor, matches)
        or _scope_dropped(draft, matches)
        or _head_cut(draft, anchor)
    ), coverage


def _matching(quantity: Quantity, stretch: Sequence[Reading]) -> tuple[Reading, Quantity] | None:
    """The figure of the stretch that is this one: same value, same kind, in a sentence that
    says it of the same thing (most words of its clause)."""
    for sentence in stretch:
        if not _said_of_the_same(quantity, sentence):
            continue
        for found in sentence.quantities:
            if (
                abs(found.value - quantity.value) < 1e-9 * max(1.0, abs(quantity.value))
                and _same_kind(quantity, found, sentence)
                and not _moved_into(quantity, found, sentence)
            ):
                return sentence, found
    return None


def _moved_into(quantity: Quantity, found: Quantity, sentence: Reading) -> bool:
    """Whether the draft says the figure of words the passage states in another statement:
    "IT can lock it within 1 hour" from "…reported within 1 hour, so that IT can lock it"."""
    return bool((quantity.scope & sentence.terms) - found.scope)


def _figures_regrouped(drafted: Sequence[Quantity], matches: list[tuple[Reading, Quantity]]) -> bool:
    """Two figures of one drafted clause ("136 sacks in just 9 starts") that the passage
    states in different clauses (136 career sacks; 5 sacks in 9 starts). A table row's
    cells are read together."""
    where: dict[int, set[tuple[int, int]]] = {}
    for quantity, (sentence, found) in zip(drafted, matches, strict=True):
        if not quantity.unit.startswith("date") and CELL_SEPARATOR not in sentence.text:
            where.setdefault(quantity.clause, set()).add((id(sentence), found.clause))
    return any(len(places) > 1 for places in where.values())


def _said_of_the_same(quantity: Quantity, sentence: Reading) -> bool:
    if quantity.unit.startswith("date") or quantity.unit == "clock" or len(quantity.near) < 2:
        return True  # a date or a time is specific enough; one word is too little to judge by
    return len(quantity.near & sentence.terms) * 2 >= len(quantity.near)


def _same_kind(drafted: Quantity, found: Quantity, sentence: Reading) -> bool:
    """Whether two equal figures count the same thing: 18 months is not 18 days, EUR 220 not
    220 days; a unit the passage writes once for a range ("52,000 to 61,000 EUR") counts."""
    if drafted.unit and found.unit:
        return drafted.unit == found.unit
    if drafted.unit:
        return unit_written_in(drafted.unit, sentence.text)
    return not drafted.noun or drafted.noun == found.noun or drafted.noun in sentence.terms


def _shown(quantity: Quantity) -> str:
    value = f"{quantity.value:g}"
    return f"{value} {quantity.unit or quantity.noun}".strip()


def _meaning_differs(draft: Reading, stretch: Sequence[Reading]) -> str:
    """Each statement of the draft against the passage's statement that holds most of its
    words: the same negation, and no obligation made of an option or the other way round."""
    said = [statement for sentence in stretch for statement in sentence.statements]
    for mine in draft.statements:
        if not mine.terms or not said:
            continue
        theirs = max(said, key=lambda s: len(s.terms & mine.terms))
        if mine.negated != theirs.negated:
            return "it negates what the passage states" if mine.negated else "it drops the passage's negation"
        if theirs.hedged and not mine.hedged:
            return "it states as certain what the passage only thinks possible"
        if mine.must and not theirs.must and theirs.may:
            return "it makes an obligation of what the passage allows"
        if mine.may and not mine.must and theirs.must and not theirs.may:
            return "it makes an option of what the passage requires"
    return ""


def _condition_dropped(draft: Reading, anchor: Reading, matches: list[tuple[Reading, Quantity]]) -> str:
    """A fact the passage states only under a condition, repeated without the condition; or
    the condition itself stated as a fact ("the line manager has approved it")."""
    if not has_condition(draft.text):
        for condition in anchor.conditions:
            if draft.terms and len(draft.terms & condition.terms) * 2 > len(draft.terms):
                return f"it states the passage's condition as a fact ({condition.text})"
    for condition in _conditions_over(draft, anchor, matches):
        shared = draft.terms & condition.terms
        cued = has_condition(draft.text) and (shared or not condition.terms)
        if not cued and (not condition.terms or len(shared) * 2 < len(condition.terms)):
            return f"it leaves out the passage's condition ({condition.text})"
    return ""


def _scope_dropped(draft: Reading, matches: list[tuple[Reading, Quantity]]) -> str:
    """A figure the passage gives only after, during or before something ("After probation
    the notice period is… 2 months for G5") repeated without it: the draft must say the
    scope's word and most of its words. A date or a time says when by itself ("一战结束时，…
    占领莱茵兰直至 1935年")."""
    said = draft.text.lower()
    for sentence, found in matches:
        if found.unit.startswith("date") or found.unit == "clock":
            continue
        for scope in sentence.scopes:
            kept = _says_marker(said, scope.marker) and len(draft.terms & scope.terms) * 2 >= len(scope.terms)
            if scope.start <= found.start < scope.end and not kept:
                return f"it leaves out when the passage's figure holds ({scope.text})"
    return ""


def _says_marker(text: str, marker: str) -> bool:
    """A Latin marker as a word ("after", not inside "afternoon"); a Chinese one anywhere."""
    if CJK_CHAR.search(marker):
        return marker in text
    return re.search(rf"(?<![a-z]){re.escape(marker)}(?![a-z])", text) is not None


def _head_cut(draft: Reading, anchor: Reading) -> str:
    """A quote that copies the passage but cuts the head of a phrase out of its middle, so
    that the modifier is said to be what the head was: "其重申最终摘要是正确的" from
    "…最终摘要的结论是正确的" (the summary's conclusion, not the summary)."""
    theirs, mine = anchor.text, _CITATION.sub("", draft.text)
    blocks = difflib.SequenceMatcher(None, theirs, mine, autojunk=False).get_matching_blocks()
    for before, after in itertools.pairwise(blocks):
        cut = theirs[before.a + before.size : after.a]
        joined = before.b + before.size == after.b
        if joined and min(before.size, after.size) >= MIN_QUOTED and _HEAD.fullmatch(cut):
            return f"it quotes the passage without “{cut.strip()}”"
    return ""


def _conditions_over(
    draft: Reading, anchor: Reading, matches: list[tuple[Reading, Quantity]]
) -> list[Condition]:
    """The conditions that govern what the draft repeats: those over its figures, or, for a
    sentence without figures, those over the clause that holds most of its words."""
    if matches:
        return [
            c for sentence, found in matches for c in sentence.conditions if c.start <= found.start < c.end
        ]

    return [
        c
        for c in anchor.conditions
        if len(draft.terms & content_terms(anchor.text[c.start : c.end])) * 2
        >= len(draft.terms & anchor.terms)
    ]
