"""Answers the local route can always give without trusting a small model's prose: fixed
replies, and the best passages quoted with their citations."""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ingestion.text import CJK_CHAR, CJK_IDEOGRAPHS, STREAM_SENTENCE_BREAK
from router.support import check, claims_nothing


def is_chinese(text: str) -> bool:
    return len(CJK_CHAR.findall(text)) >= max(2, len(text) // 10)


@dataclass(frozen=True)
class Quote:
    number: int
    text: str


def extractive_answer(question: str, quotes: Sequence[Quote]) -> str:
    if not quotes:
        return no_context_answer(question)
    intro = (
        "以下是您有权阅读的文档中的相关内容：" if is_chinese(question) else "Here is what your documents say:"
    )
    return intro + "\n\n" + "\n>\n".join(map(_quoted, quotes))


def _quoted(quote: Quote) -> str:
    return f"> {quote.text.strip()} [{quote.number}]"


def draft_lead(question: str) -> str:
    """What introduces a model's answer below the quotes it follows."""
    return "\n\n简要回答：" if is_chinese(question) else "\n\nIn short: "


_WORD_PIECE = re.compile(rf"[{CJK_IDEOGRAPHS}]{{1,4}}|[^\s{CJK_IDEOGRAPHS}]+\s*|\s+")


def word_pieces(text: str) -> Iterator[str]:
    """Text as a reader sees it stream: a word at a time (up to four Chinese characters)."""
    for match in _WORD_PIECE.finditer(text):
        yield match.group()


def no_context_answer(question: str) -> str:
    if is_chinese(question):
        return "在您有权阅读的文档中没有找到与此问题相关的内容。请换一种问法，或联系知识库管理员。"
    return (
        "I could not find anything about this in the documents you have access to. "
        "Try rephrasing, or ask a KB admin whether the right document is in the knowledge base."
    )


def chitchat_answer(question: str) -> str:
    if is_chinese(question):
        return "您好！我是公司知识库助手，可以回答关于人事、差旅报销、IT 与安全、合同和财务审批等公司文档的问题。"
    return (
        "Hello! I'm the company knowledge-base assistant. Ask me about HR and leave, travel and expenses, "
        "IT and security, contracts or finance approvals, and I'll answer from the company's documents."
    )


_CITATION = re.compile(r"\[\d+\]")
_WORD = re.compile(rf"[A-Za-z]{{4,}}|[{CJK_IDEOGRAPHS}]")
MIN_GROUNDED_WORDS = 3
MIN_JUDGED_WORDS = 4
# A sentence that reads on from the one before it: after one left out, it would mislead.
_REFERS_BACK = re.compile(
    r"\s*(?:\d+[.)]\s*)?(?:(?:this|that|these|those|it|its|they|their|such|so|however|but|also|otherwise|then|there)\b"
    r"|这|那|该|其|它|此|但|而|否则|因此|所以|同时|也)",
    re.I,
)


def is_grounded(answer: str, context: str) -> bool:
    """Whether a small model's text sticks to the context: one passage supports all it
    claims (router.support), and it does not loop."""
    words = [w.lower() for w in _WORD.findall(_CITATION.sub("", answer))]
    if not words or len(set(words)) / len(words) < 0.4:
        return False
    return check(answer, context).supported


def draft_pieces(chunks: Iterable[str]) -> Iterator[str]:
    """A streamed draft cut where it is judged: at each sentence's end once it says enough to
    judge (a lead-in like "Two rules:" waits for the sentence after it), and the rest when
    the stream ends. The pieces join back into the draft exactly."""
    pending, candidate = "", ""
    for chunk in chunks:
        pending += chunk
        *complete, pending = STREAM_SENTENCE_BREAK.split(pending)
        for sentence, separator in zip(complete[::2], complete[1::2], strict=True):
            candidate += sentence + separator
            if _judged_words(candidate) >= MIN_JUDGED_WORDS:
                yield candidate
                candidate = ""
    if (candidate + pending).strip():
        yield candidate + pending


def grounded_sentences(chunks: Iterable[str], context: str, question: str = "") -> Iterator[str]:
    """A streamed draft, released a sentence at a time while it sticks to the context.

    A sentence that claims nothing (router.support.claims_nothing: "[1]", the question asked
    back) is left out and the draft goes on, unless the next sentence leans on what was left
    out ("This…", "但…"). Any other sentence that strays, or one that repeats an earlier one,
    ends the draft there, so the reader never sees an unsupported claim; a draft that never
    says anything grounded yields nothing.
    """
    seen: set[str] = set()
    skipped = False
    for piece in draft_pieces(chunks):
        key = " ".join(_WORD.findall(piece.lower()))
        if key in seen:
            return
        if claims_nothing(piece, question):
            skipped = True
            continue
        too_short = not seen and _judged_words(piece) < MIN_GROUNDED_WORDS
        leans_back = skipped and _REFERS_BACK.match(_CITATION.sub("", piece)) is not None
        if too_short or leans_back or not is_grounded(piece, context):
            return
        seen.add(key)
        skipped = False
        yield piece


def _judged_words(text: str) -> int:
    return len(_WORD.findall(_CITATION.sub("", text)))
