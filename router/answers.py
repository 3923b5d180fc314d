"""Answers the local route can always give without trusting a small model's prose: fixed
replies, and the best passages quoted with their citations."""

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CJK = re.compile(r"[\u4e00-\u9fff]")


def is_chinese(text: str) -> bool:
    return len(_CJK.findall(text)) >= max(2, len(text) // 10)


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


def out_of_scope_answer(question: str) -> str:
    if is_chinese(question):
        return "这个问题超出了公司知识库的范围。我只能回答与公司文档相关的问题。"
    return "That question is outside the company knowledge base, so I can't answer it. I can help with questions about company documents and policies."


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CITATION = re.compile(r"\[\d+\]")
_WORD = re.compile(r"[A-Za-z]{4,}|[\u4e00-\u9fff]")


def is_grounded(answer: str, context: str) -> bool:
    """Whether a small model's answer sticks to the context: every number it states appears
    there, most of its words do, and it does not loop."""
    text = _CITATION.sub("", answer).strip()
    if len(text) < 8:
        return False
    if any(n not in context for n in _NUMBER.findall(text)):
        return False
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return False
    context_lower = context.lower()
    supported = sum(1 for w in words if w in context_lower) / len(words)
    distinct = len(set(words)) / len(words)
    return supported >= 0.7 and distinct >= 0.4
