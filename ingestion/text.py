"""What a Chinese character is and where a sentence ends, for every layer.

Ingestion embeds each sentence of a chunk and condensing later looks those vectors up by
position, so both must split text the same way: they do, by calling `split_sentences`
here. This module is the ground floor: it imports nothing from the project.
"""

import re

# Han ideographs: the unified block, Extension A and the compatibility block.
CJK_IDEOGRAPHS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# What is written full width, without spaces between: the ideographs, radicals, CJK
# punctuation, kana and bopomofo, and the full-width forms of Latin letters and marks.
CJK_WIDE = f"\u2e80-\u33ff{CJK_IDEOGRAPHS}\uff00-\uffef"

CJK_CHAR = re.compile(f"[{CJK_IDEOGRAPHS}]")
CJK_RUN = re.compile(f"[{CJK_IDEOGRAPHS}]+")
WIDE_CHAR = re.compile(f"[{CJK_WIDE}]")


def is_wide_char(char: str) -> bool:
    """Wider than a Latin letter, and written without a space between it and its neighbours."""
    return WIDE_CHAR.fullmatch(char) is not None


# --- sentence ends ------------------------------------------------------------------

_LATIN_STOPS = ".!?"
_CJK_STOPS = "。！？"
_SENTENCE_STOPS = _LATIN_STOPS + _CJK_STOPS

# Streamed text, where more may follow: a sentence has ended once white space follows its
# stop, or at a line break. The separator is captured, so that a split keeps the layout.
STREAM_SENTENCE_BREAK = re.compile(rf"((?<=[{_SENTENCE_STOPS}])[ \t]+|\s*\n\s*)")
# Where streamed text may be released up to: just after a stop that white space or the end
# of the text so far follows, or just after a line break.
STREAM_SENTENCE_END = re.compile(rf"[{_SENTENCE_STOPS}\n](?=\s|$)|\n")

# Chinese also ends a sentence at ； and …; closing quotes and brackets stay with it.
_CJK_END = re.compile(rf"[{_CJK_STOPS}；…]+[”’」』）)]*")
_LATIN_END = re.compile(rf"[{_LATIN_STOPS}]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9{CJK_IDEOGRAPHS}])")
_ABBREVIATIONS_TEXT = """
    mr mrs ms dr prof sr jr st vs etc e.g i.e cf no nos fig approx dept inc ltd co corp incl
    jan feb mar apr jun jul aug sep sept oct nov dec u.s u.k
"""
_ABBREVIATIONS = frozenset(_ABBREVIATIONS_TEXT.split())


def split_sentences(text: str) -> list[str]:
    """Sentences of English and Chinese text, in order. A line break always ends one (the
    parser has already joined lines that were only wrapped); "e.g.", "No. 5", "Dr. Lee" and
    initials do not, and closing quotes stay with their sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for match in _CJK_END.finditer(line):
            sentences.extend(_split_latin(line[start : match.end()]))
            start = match.end()
        sentences.extend(_split_latin(line[start:]))
    return [s for s in (s.strip() for s in sentences) if s]


def _split_latin(text: str) -> list[str]:
    pieces, start = [], 0
    for match in _LATIN_END.finditer(text):
        if match.group().startswith(".") and _is_abbreviation(text[start : match.start()]):
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def _is_abbreviation(before_period: str) -> bool:
    words = before_period.split()
    word = words[-1].lstrip("(\"'“") if words else ""
    return word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())
