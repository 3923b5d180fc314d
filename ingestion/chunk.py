"""Chunking: sections → overlapping, token-bounded chunks that keep headings and pages.

Tokens are counted with the embedding model's own tokenizer (passed in), once per
sentence, so that a chunk never exceeds what the model reads and chunking stays linear in
the length of the document. A chunk's count is the sum of its sentences' counts plus its
heading's: exact for word-piece tokenizers, which split on whitespace and between Chinese
characters anyway, and it is what the pipeline embeds (`heading + "\\n" + text`).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from ingestion.parse import ParsedDocument, Section
from ingestion.text import is_lead_in, is_wide_char, looks_like_heading, split_sentences

CountTokens = Callable[[str], int]


@dataclass(frozen=True)
class Chunk:
    text: str  # body text, without the heading
    heading: str
    page: int | None
    position: int  # 0-based order in the document
    token_count: int  # heading and text together
    ocr: bool = False  # recognised from a scan or image (citations say so)


@dataclass(frozen=True)
class _Piece:
    text: str
    tokens: int
    opens_section: bool  # joined to the previous piece by a line break, not a space
    heading: bool = False  # a heading written as a line of text ("一、入职第一天"): it opens a chunk
    lead_in: "_Piece | None" = None  # for a list item: the line that introduces its list


def chunk_document(
    parsed: ParsedDocument, *, count_tokens: CountTokens, max_tokens: int = 200, overlap_tokens: int = 40
) -> list[Chunk]:
    """Chunks of whole sentences, at most `max_tokens` with their heading; each chunk repeats
    the last sentences (up to `overlap_tokens`) of the previous one under the same heading, so
    that an answer spanning the cut is still found whole. A chunk never spans a change of
    heading or page, and a heading written as a line of text opens a new chunk; a chunk that
    starts within a list starts with the list's lead-in line. Only a sentence longer than
    the budget is cut, at a space or comma near its middle, or between characters when it
    has none."""
    if max_tokens < 16:
        raise ValueError("max_tokens must be at least 16: a heading takes up to half of it")
    chunks: list[Chunk] = []
    for heading, page, sections in _groups(parsed.sections):
        heading, heading_tokens = _short_heading(heading, count_tokens, max_tokens // 2)
        budget = max_tokens - heading_tokens
        pieces = _pieces(sections, count_tokens, budget)
        for text, tokens in _pack(pieces, budget, overlap_tokens):
            chunks.append(Chunk(text, heading, page, len(chunks), tokens + heading_tokens, sections[0].ocr))
    return chunks


def _groups(sections: list[Section]) -> Iterator[tuple[str, int | None, list[Section]]]:
    """Runs of consecutive sections under one heading on one page, read alike (text layer or OCR)."""
    run: list[Section] = []
    for section in sections:
        if run and (section.heading, section.page, section.ocr) != (run[0].heading, run[0].page, run[0].ocr):
            yield run[0].heading, run[0].page, run
            run = []
        run.append(section)
    if run:
        yield run[0].heading, run[0].page, run


def _pieces(sections: list[Section], count_tokens: CountTokens, budget: int) -> list[_Piece]:
    """The sentences of consecutive sections, each counted once, long ones cut to the budget;
    each marked as a heading line, or with the lead-in of the list it is an item of."""
    pieces: list[_Piece] = []
    lead_in: _Piece | None = None
    for section in sections:
        fitted = [piece for s in split_sentences(section.text) for piece in _fit(s, count_tokens, budget)]
        heading = len(fitted) == 1 and looks_like_heading(section.text)
        item_of = lead_in if len(fitted) == 1 and not heading else None
        pieces += [
            _Piece(text, tokens, opens_section=n == 0, heading=heading, lead_in=item_of)
            for n, (text, tokens) in enumerate(fitted)
        ]
        lead_in = pieces[-1] if is_lead_in(section.text) and pieces else item_of
    return pieces


_CUT = re.compile(r"[\s,，、;；:：]")


def _fit(text: str, count_tokens: CountTokens, budget: int) -> list[tuple[str, int]]:
    """The text with its token count, halved until every piece is within the budget."""
    tokens = count_tokens(text)
    if tokens <= budget or len(text) < 2:
        return [(text, tokens)]
    middle = len(text) // 2
    cuts = [m.end() for m in _CUT.finditer(text) if 0 < m.end() < len(text)]
    cut = min(cuts, key=lambda at: abs(at - middle)) if cuts else middle
    halves = (text[:cut].strip(), text[cut:].strip())
    return [piece for half in halves if half for piece in _fit(half, count_tokens, budget)]


def _short_heading(heading: str, count_tokens: CountTokens, limit: int) -> tuple[str, int]:
    """A heading path within `limit` tokens, with its count: outer levels go first, then its end."""
    if not heading:
        return "", 0
    parts = heading.split(" > ")
    while len(parts) > 1 and count_tokens(" > ".join(parts)) > limit:
        parts.pop(0)
    return _fit(" > ".join(parts), count_tokens, limit)[0]


def _pack(pieces: list[_Piece], budget: int, overlap: int) -> Iterator[tuple[str, int]]:
    """Greedy packing; each next chunk starts with the previous one's tail (see `_tail`), or
    afresh at a heading line, and with its list's lead-in when it starts within a list."""
    current: list[_Piece] = []
    used = 0
    for piece in pieces:
        if current and piece.heading:
            yield _join(current), used
            current, used = [], 0
        elif current and used + piece.tokens > budget:
            yield _join(current), used
            current = _with_lead_in(piece, _tail(current, min(overlap, budget - piece.tokens)), budget)
            used = sum(p.tokens for p in current)
        current.append(piece)
        used += piece.tokens
    if current:
        yield _join(current), used


def _with_lead_in(piece: _Piece, tail: list[_Piece], budget: int) -> list[_Piece]:
    """The start of a chunk whose next piece is a list item: its lead-in first, if it fits
    with the piece (the overlap goes before the lead-in does)."""
    lead_in = piece.lead_in
    if lead_in is None or lead_in in tail or lead_in.tokens + piece.tokens > budget:
        return tail
    while tail and lead_in.tokens + sum(p.tokens for p in tail) + piece.tokens > budget:
        tail = tail[1:]
    return [lead_in, *tail]


def _tail(pieces: list[_Piece], limit: int) -> list[_Piece]:
    """The last pieces worth at most `limit` tokens, never all of them (each chunk must add
    something new)."""
    tail: list[_Piece] = []
    tokens = 0
    for piece in reversed(pieces[1:]):
        if tokens + piece.tokens > limit:
            break
        tail.insert(0, piece)
        tokens += piece.tokens
    return tail


def _join(pieces: list[_Piece]) -> str:
    text = pieces[0].text
    for piece in pieces[1:]:
        if piece.opens_section:
            text += "\n"
        elif not (is_wide_char(text[-1]) and is_wide_char(piece.text[0])):
            text += " "  # Chinese sentences follow each other without a space
        text += piece.text
    return text
