"""Token estimates and prices. The cloud's own usage figures are billed when it reports them;
estimates compare routes before a call is made, counted the same way on both sides."""

import re

from ingestion.text import CJK_CHAR, CJK_IDEOGRAPHS
from router.config import RouterConfig

_WORDS = re.compile(rf"[A-Za-z0-9]+|[^\sA-Za-z0-9{CJK_IDEOGRAPHS}]")


def estimate_tokens(text: str) -> int:
    """About what a BPE tokenizer counts: ~1.3 per English word, ~1 per Chinese character."""
    words = _WORDS.findall(text)
    return len(CJK_CHAR.findall(text)) + round(sum(1.3 if w.isalnum() else 1 for w in words))


def cost_usd(*, prompt_tokens: int, completion_tokens: int, config: RouterConfig) -> float:
    return round(
        (prompt_tokens * config.price_input_per_mtok + completion_tokens * config.price_output_per_mtok)
        / 1_000_000,
        8,
    )
