"""The slice of a conversation that a follow-up question carries with it.

Short on purpose: it goes through the pipeline's de-identification and, on the cloud
route, leaves the machine, so it holds only the last few turns and cuts long answers.
"""

from collections.abc import Sequence

HISTORY_PAIRS = 3
ANSWER_CHARS = 300

Turn = tuple[str, str]


def history_window(turns: Sequence[Turn], *, pairs: int = HISTORY_PAIRS) -> list[Turn]:
    """The last `pairs` question/answer pairs, each answer cut to ANSWER_CHARS."""
    recent = list(turns)[-2 * pairs :]
    return [(role, _cut(text) if role == "assistant" else text) for role, text in recent]


def _cut(text: str) -> str:
    """Cut at a word boundary: half an e-mail address would slip past de-identification."""
    if len(text) <= ANSWER_CHARS:
        return text
    head = text[: ANSWER_CHARS - 1]
    return (head.rsplit(None, 1)[0] if " " in head else head).rstrip() + "…"
