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


# --- table rows ---------------------------------------------------------------------

# Between the cells of a table row as parsing writes it, each cell with its column's name:
# "City tier: Tier 1 · Examples: London, Paris · Limit per night: EUR 220".
CELL_SEPARATOR = " · "


# --- headings and list lead-ins, as lines of text ------------------------------------

# Plain text and PDFs keep their headings as lines ("一、入职第一天", "3 Hotels"): chunking
# starts a chunk at one, and condensing reads it as context, never as an answer.
HEADING_MAX_WORDS = 10
HEADING_MAX_CJK_CHARS = 20
HEADING_MAX_BARE_WORDS = 4  # unnumbered, in sentence case: "Annual leave", not "Payment is by badge only"
# "3.", "2.1", "一、", "（二）", "第三章", "Section 4", "Chapter 2": a section's number.
_SECTION_NUMBER = re.compile(
    r"^\s*(\d+(\.\d+)*\.?\s|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|第[一二三四五六七八九十百\d]+[章节条部分]"
    r"|(section|chapter|part|article|appendix)\s+[\dIVX]+\b)",
    re.I,
)
# Punctuation that prose has and a heading does not.
_PROSE_MARK = re.compile(r"[.!?;:,。！？；：，、…]")
_LETTERS = re.compile(r"[^\W\d_]+")
_DIGIT = re.compile(r"\d")
_LEAD_IN_END = re.compile(r"[:：]\s*$")


def looks_like_heading(line: str) -> bool:
    """A short line without the punctuation of prose: numbered as a section, in title case,
    or of a few bare words (English); of a few characters without figures (Chinese). Never
    a table row."""
    if CELL_SEPARATOR in line or "|" in line:
        return False
    bare = _SECTION_NUMBER.sub("", line, count=1)
    if _PROSE_MARK.search(bare):
        return False
    if CJK_CHAR.search(bare):
        return len(CJK_CHAR.findall(bare)) <= HEADING_MAX_CJK_CHARS and not _DIGIT.search(bare)
    words = _LETTERS.findall(bare)
    if not words or len(words) > HEADING_MAX_WORDS:
        return False
    long_words = [w for w in words if len(w) > 3]
    title_case = bool(long_words) and all(w[0].isupper() for w in long_words)
    few_words = len(words) <= HEADING_MAX_BARE_WORDS and not _DIGIT.search(bare)
    return bare != line or title_case or few_words


def is_lead_in(line: str) -> bool:
    """A line that introduces what follows it ("员工享有以下福利：", "…for your site:")."""
    return _LEAD_IN_END.search(line) is not None


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
    initials do not, and closing quotes stay with their sentence. A table row is one
    sentence, whatever its cells hold, so that no value is read apart from its column's name."""
    sentences: list[str] = []
    for line in text.splitlines():
        if CELL_SEPARATOR in line:
            sentences.append(line)
            continue
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
