"""Indexed text laid out for reading: paragraphs of sentences, with the sentences an answer
quoted marked, and a whole document put back together from its overlapping chunks.

Plain data for the templates, which escape it; nothing here builds markup."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ingestion.store import IndexedChunk
from ingestion.text import split_sentences

# A cited snippet is cut at a fixed length: a sentence whose opening is at least this long
# and ends the snippet is the one it was cut in.
CUT_PREFIX_CHARS = 15
HEADING_LEVELS = " > "  # a chunk's heading is its breadcrumb: "Title > 2. Approval > Abroad"


@dataclass(frozen=True)
class Sentence:
    text: str
    cited: bool = False


Paragraph = list[Sentence]


@dataclass(frozen=True)
class Section:
    """One chunk's new text in the whole document, under its heading when that changed."""

    chunk_id: str
    heading: str
    page: int | None
    paragraphs: list[Paragraph]


def answer_quotes(meta: dict[str, Any], chunk_id: str) -> list[str]:
    """What an answer's citations of this chunk quoted from it."""
    return [c.get("snippet", "") for c in meta.get("citations", []) if c.get("chunk_id") == chunk_id]


def reading_paragraphs(text: str, quotes: Sequence[str] = ()) -> list[Paragraph]:
    """The text's lines as paragraphs of sentences; a sentence is cited when a quote holds it."""
    quoted = [_plain(q).removesuffix("…") for q in quotes if q.strip()]
    paragraphs = []
    for line in text.splitlines():
        sentences = [Sentence(s, _is_quoted(_plain(s), quoted)) for s in split_sentences(line)]
        if sentences:
            paragraphs.append(sentences)
    return paragraphs


def document_sections(chunks: Iterable[IndexedChunk]) -> list[Section]:
    """Chunks in reading order, each without the sentences it repeats from the one before
    (chunks overlap so that a passage keeps its context; a reader wants the text once); a
    heading (its last level: the breadcrumb's start is the title) and a page are shown
    where they change."""
    sections, previous, heading, page = [], set[str](), "", None
    for chunk in chunks:
        paragraphs = [
            [s for s in p if _plain(s.text) not in previous] for p in reading_paragraphs(chunk.text)
        ]
        previous = {_plain(s) for s in split_sentences(chunk.text)}
        chunk_heading = (chunk.metadata.get("heading") or "").rpartition(HEADING_LEVELS)[2]
        chunk_page = page_of(chunk)
        sections.append(
            Section(
                chunk_id=chunk.chunk_id,
                heading=chunk_heading if chunk_heading != heading else "",
                page=chunk_page if chunk_page != page else None,
                paragraphs=[p for p in paragraphs if p],
            )
        )
        heading, page = chunk_heading, chunk_page
    return sections


def page_of(chunk: IndexedChunk) -> int | None:
    """The chunk's page in its PDF; the index stores -1 where there is none."""
    page = chunk.metadata.get("page")
    return page if isinstance(page, int) and page > 0 else None


def _plain(text: str) -> str:
    return " ".join(text.split())


def _is_quoted(sentence: str, quoted: Sequence[str]) -> bool:
    if not sentence:
        return False
    for quote in quoted:
        if sentence in quote:
            return True
        tail = quote[-len(sentence) :] if len(quote) >= CUT_PREFIX_CHARS else ""
        # the snippet was cut inside this sentence: its end is the sentence's opening
        cut = next((i for i in range(len(tail)) if sentence.startswith(tail[i:])), None)
        if cut is not None and len(tail) - cut >= CUT_PREFIX_CHARS:
            return True
    return False
