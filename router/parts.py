"""The parts of a multi-part question, in English and Chinese.

"How many parking spaces are there, and what is the cycling allowance?" or
"午餐补贴是多少？另外交通补贴呢？" ask two things. Ranked as one question, the part the
documents say most about crowds the other out of the condensed context and out of the
quoted answer; ranked part by part, each gets its own evidence. Splitting is by the words
that join questions, never by a model, so it behaves the same on every machine.
"""

import re

# Question words after "and" (English); so "London and Paris" stays one part.
_EN_JOIN = r",?\s+and\s+(?=(?:how|what|when|where|who|whom|which|why|can|could|do|does|did|is|are|was|were|should|must|will)\b)"
# Chinese: 以及 / 另外 / 此外 join questions; "…，还有…" and "…，那…" too.
_ZH_JOIN = r"以及|另外|此外|[，,]\s*(?:还有|那么?)"
# "…和病假呢？" / "…，病假呢？": an elliptical second part that borrows the first one's frame.
_ZH_ELLIPTICAL = r"(?:[，,]\s*|和)(?=[^，,。？?和]{1,20}呢\s*[？?]?\s*$)"
_SPLIT = re.compile(rf"\?\s+|？\s*|;|；|{_EN_JOIN}|{_ZH_JOIN}|{_ZH_ELLIPTICAL}", re.I)
# Two Chinese clauses that each ask something, joined by a comma: "午餐补贴是多少，交通补贴是多少？"
_ZH_ASKS = re.compile(
    r"多少|多长|多久|多大|何时|哪|什么|几[天个次年月人点]|谁|如何|怎么|怎样|是否|能否|吗|呢"
)
_ZH_COMMA = re.compile(r"([，,])")


def question_parts(question: str) -> list[str]:
    """The question's parts in order, stripped of joining punctuation; one part (the
    question itself) when it asks one thing."""
    parts: list[str] = []
    for piece in _SPLIT.split(question):
        parts.extend(_comma_parts(piece))
    parts = [p.strip(" ,;，；。?？") for p in parts]
    parts = [p for p in parts if p]
    return parts if len(parts) > 1 else [question]


def _comma_parts(piece: str) -> list[str]:
    """A piece split at each comma where both sides ask a question of their own."""
    clauses = _ZH_COMMA.split(piece)
    out = [clauses[0]]
    for comma, clause in zip(clauses[1::2], clauses[2::2], strict=True):
        if _ZH_ASKS.search(out[-1]) and _ZH_ASKS.search(clause):
            out.append(clause)
        else:
            out[-1] += comma + clause
    return out
