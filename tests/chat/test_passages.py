"""What the citation and document pages show, and which sources an answer lists: pure
functions over indexed text and answer text, so no services are needed."""

from ingestion.store import IndexedChunk
from kb_assistant.chat.citing import cited_only
from kb_assistant.chat.passages import document_sections, reading_paragraphs

TEXT = (
    "Domestic trips are approved by the line manager. International trips are approved by the "
    "department director and must be requested at least 21 days before departure.\n"
    "Costs above EUR 5,000 need the CFO."
)


def chunk(position: int, text: str, heading: str = "", page: int = -1) -> IndexedChunk:
    metadata = {"position": position, "heading": heading, "page": page}
    return IndexedChunk(chunk_id=f"d1-v1-c{position}", document_id=1, version=1, text=text, metadata=metadata)


def cited(paragraphs) -> list[str]:
    return [s.text for p in paragraphs for s in p if s.cited]


def test_the_sentence_an_answer_quoted_is_marked_even_when_its_snippet_was_cut():
    whole = reading_paragraphs(TEXT, ["Domestic trips are approved by the line manager."])
    cut = reading_paragraphs(TEXT, ["International trips are approved by the depart"])

    assert cited(whole) == ["Domestic trips are approved by the line manager."]
    assert cited(cut) == [
        "International trips are approved by the department director and must be requested "
        "at least 21 days before departure."
    ]
    assert [len(p) for p in whole] == [2, 1]  # lines stay paragraphs
    assert cited(reading_paragraphs(TEXT)) == []


def test_a_whole_document_shows_overlapping_text_once_and_headings_where_they_change():
    chunks = [
        chunk(0, "First rule. Second rule.", "Policy > 1. Rules", page=1),
        chunk(1, "Second rule. Third rule.", "Policy > 1. Rules", page=1),
        chunk(2, "Fourth rule.", "Policy > 2. Limits", page=2),
    ]
    sections = document_sections(chunks)

    shown = [s.text for section in sections for p in section.paragraphs for s in p]
    assert shown == ["First rule.", "Second rule.", "Third rule.", "Fourth rule."]
    assert [(s.heading, s.page) for s in sections] == [("1. Rules", 1), ("", None), ("2. Limits", 2)]


def test_only_the_sources_an_answer_marks_are_listed():
    citations = [{"number": n, "chunk_id": f"d1-v1-c{n}"} for n in (1, 2, 3)]

    assert [c["number"] for c in cited_only(citations, "Yes [1]. Also [2, 3].")] == [1, 2, 3]
    assert [c["number"] for c in cited_only(citations, "Trips abroad need approval [2][1].")] == [1, 2]
    assert cited_only(citations, "I could not find anything about this.") == []
