"""Chunking: sections → overlapping, token-bounded chunks that keep headings and pages.

Tokens are counted with the embedding model's own tokenizer (passed in), once per
sentence, so a chunk never exceeds what the model reads and chunking stays linear.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingestion.parse import ParsedDocument, Section

CountTokens = Callable[[str], int]

_CJK_END = re.compile(r"(?<=[。！？；])")
_LATIN_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9\u4e00-\u9fff])")
_ABBREVIATIONS = re.compile(
    r"\b(e\.g|i\.e|etc|Mr|Ms|Mrs|Dr|No|vs|approx|incl|Inc|Ltd|Co|St)\.$", re.IGNORECASE
)


@dataclass(frozen=True)
class Chunk:
    text: str
    heading: str
    page: int | None
    position: int
    token_count: int


def split_sentences(text: str) -> list[str]:
    """Sentences of English and Chinese text; a line break always ends a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        for piece in _CJK_END.split(line):
            sentences.extend(_split_latin(piece))
    return [s.strip() for s in sentences if s.strip()]


def _split_latin(text: str) -> list[str]:
    pieces, start = [], 0
    for match in _LATIN_END.finditer(text):
        candidate = text[start : match.start() + 1]
        if _ABBREVIATIONS.search(candidate.rstrip("\"'”’)]")):
            continue
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    return pieces


def chunk_document(
    parsed: ParsedDocument, *, count_tokens: CountTokens, max_tokens: int = 200, overlap_tokens: int = 40
) -> list[Chunk]:
    chunks: list[Chunk] = []
    for group in _groups(parsed.sections):
        heading, page = group[0].heading, group[0].page
        heading_tokens = count_tokens(heading) + 1 if heading else 0
        budget = max(16, max_tokens - heading_tokens)
        sentences = [
            piece
            for section in group
            for sentence in split_sentences(section.text)
            for piece in _fit(sentence, count_tokens, budget)
        ]
        for text, tokens in _pack(sentences, budget, overlap_tokens):
            chunks.append(Chunk(text, heading, page, len(chunks), tokens + heading_tokens))
    return chunks


def _groups(sections: list[Section]) -> Iterator[list[Section]]:
    """Consecutive sections under the same heading on the same page: chunks never cross them."""
    group: list[Section] = []
    for section in sections:
        if group and (section.heading, section.page) != (group[0].heading, group[0].page):
            yield group
            group = []
        group.append(section)
    if group:
        yield group


def _fit(sentence: str, count_tokens: CountTokens, budget: int) -> Iterator[tuple[str, int]]:
    """A sentence with its token count, cut into pieces when it alone is over the budget."""
    tokens = count_tokens(sentence)
    if tokens <= budget:
        yield sentence, tokens
        return
    words = re.findall(r"\S+\s*", sentence) if " " in sentence.strip() else list(sentence)
    per_piece = max(1, len(words) * budget // (tokens + 1))
    for start in range(0, len(words), per_piece):
        piece = "".join(words[start : start + per_piece]).strip()
        if piece:
            yield piece, min(count_tokens(piece), budget)


def _pack(sentences: list[tuple[str, int]], budget: int, overlap: int) -> Iterator[tuple[str, int]]:
    """Greedy packing; the next chunk starts with the last sentences worth `overlap` tokens."""
    current: list[tuple[str, int]] = []
    used = 0
    for sentence, tokens in sentences:
        if current and used + tokens > budget:
            yield _join(current), used
            carried: list[tuple[str, int]] = []
            for previous in reversed(current):
                if sum(t for _, t in carried) + previous[1] > overlap or len(carried) + 1 == len(current):
                    break
                carried.insert(0, previous)
            current = carried if sum(t for _, t in carried) + tokens <= budget else []
            used = sum(t for _, t in current)
        current.append((sentence, tokens))
        used += tokens
    if current:
        yield _join(current), used


def _join(sentences: list[tuple[str, int]]) -> str:
    text = ""
    for sentence, _ in sentences:
        needs_space = text and not (
            re.search(r"[\u3000-\u9fff]$", text) and re.match(r"[\u3000-\u9fff]", sentence)
        )
        text += (" " if needs_space else "") + sentence
    return text
