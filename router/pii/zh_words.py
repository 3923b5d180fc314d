"""Everyday Chinese words that begin with a surname character (明天, 白天, 方向, 高温), from the
dictionary bundled with jieba: a surname and given-name characters that together make such a
word are that word, unless a cue says a person is meant (问许诺, 王经理). The dictionary is read
from the package itself, never fetched."""

import functools
import logging

_MIN_FREQUENCY = 50  # rarer dictionary entries are as often names as words


@functools.cache
def segmenter():
    """jieba's tokenizer with its bundled dictionary read (once per process, about 3 s):
    the one copy that de-identification and router.bilingual share."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt


@functools.cache
def _dictionary() -> tuple[dict[str, int], dict[str, str]]:
    import jieba.posseg

    return segmenter().FREQ, jieba.posseg.dt.word_tag_tab


def is_everyday_word(text: str) -> bool:
    """A frequent dictionary word that the dictionary does not tag as a person's name."""
    frequencies, tags = _dictionary()
    return frequencies.get(text, 0) >= _MIN_FREQUENCY and not tags.get(text, "").startswith("nr")


def load() -> None:
    """Read the dictionary now (about 3 s), not in a user's first request."""
    _dictionary()
