"""Answers the local route can always give without trusting a small model's prose: fixed
replies, and the best passages quoted with their citations."""

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from ingestion.text import CJK_CHAR, CJK_IDEOGRAPHS, STREAM_SENTENCE_BREAK


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
    lines = [f"> {q.text.strip()} [{q.number}]" for q in quotes]
    return intro + "\n\n" + "\n>\n".join(lines)


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


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION = re.compile(r"\[\d+\]")
_WORD = re.compile(rf"[A-Za-z]{{4,}}|[{CJK_IDEOGRAPHS}]")
MIN_GROUNDED_WORDS = 3
MIN_JUDGED_WORDS = 4


def is_grounded(answer: str, context: str) -> bool:
    """Whether a small model's text sticks to the context: every number it states appears
    there, most of its words do, and it does not loop."""
    text = _CITATION.sub("", answer).strip()
    if any(n not in context for n in _NUMBER.findall(text)):
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return False
    context_lower = context.lower()
    supported = sum(1 for w in words if w in context_lower) / len(words)
    distinct = len(set(words)) / len(words)
    return supported >= 0.7 and distinct >= 0.4


def grounded_sentences(chunks: Iterable[str], context: str) -> Iterator[str]:
    """A streamed draft, released a sentence at a time while it sticks to the context.

    Sentences are judged once they say enough to judge (a lead-in like "Two rules:" waits for
    the sentence after it). The first that strays, or repeats an earlier one, ends the draft
    there, so the reader never sees an unsupported claim; a draft that never says anything
    grounded yields nothing.
    """
    pending, candidate, seen = "", "", set()

    def judged_ok(text: str) -> bool:
        key = " ".join(_WORD.findall(text.lower()))
        if not is_grounded(text, context) or key in seen:
            return False
        seen.add(key)
        return True

    for chunk in chunks:
        pending += chunk
        *complete, pending = STREAM_SENTENCE_BREAK.split(pending)
        for sentence, separator in zip(complete[::2], complete[1::2], strict=True):
            candidate += sentence + separator
            if len(_WORD.findall(_CITATION.sub("", candidate))) < MIN_JUDGED_WORDS:
                continue
            if not judged_ok(candidate):
                return
            yield candidate
            candidate = ""
    candidate += pending
    said_enough = bool(seen) or len(_WORD.findall(_CITATION.sub("", candidate))) >= MIN_GROUNDED_WORDS
    if candidate.strip() and said_enough and judged_ok(candidate):
        yield candidate
