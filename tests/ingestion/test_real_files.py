"""Real files from the parsers' own test suites (see files/README.md): each readable one is
read with its text and indexed, each broken or locked one refused with a reason that says
why, with nothing of it in the index."""

from pathlib import Path

import pytest

from ingestion.models import Status
from ingestion.parse import ParseError, parse_document
from ingestion.store import index_chunks
from tests.ingestion.test_services import ingested

FILES = Path(__file__).parent / "files"

READABLE = [
    ("simpletable.odt", "odt", "Cell 3 (bold) · Cell 4 (italic)"),
    ("twolevellist.odt", "odt", "Subitem B.2 (bold)"),
    ("definitionlists.odt", "odt", "http://www.slashdot.org"),
    ("crazyones.pdf", "pdf", "Heres to the crazy ones"),
    ("multilang.pdf", "pdf", "你好世界"),
    ("r2-owner-password.pdf", "pdf", "pdf encryption test"),  # an owner password only
    ("issue-3850-1bit-indexed-flate.pdf", "pdf", "pypdf"),  # an image only: OCR reads it
    ("tbl-cell.pptx", "pptx", "a: d · b: e · c: f"),
    ("sld-notes.pptx", "pptx", "Speaker notes: Notes"),
    ("txt-text.pptx", "pptx", "Text run in table cell"),
    ("shp-embedded-xlsx.xlsx", "xlsx", "1"),
    ("shp-embedded-docx.docx", "docx", "Foo de bar"),
]

REFUSED = [
    ("nasty.odt", "damaged"),
    ("encrypted-file.pdf", "encrypted"),
    ("selenium-pypdf-issue-177.pdf", "truncated"),
    ("no-slides.pptx", "no readable text"),
    ("tbl-having-tables.docx", "no readable text"),  # two tables, every cell empty
]


@pytest.mark.parametrize(("name", "kind", "words"), READABLE)
def test_a_real_file_is_read_with_its_text(name, kind, words):
    parsed = parse_document((FILES / name).read_bytes(), name)

    assert parsed.detected_type == kind
    assert words in " ".join(section.text for section in parsed.sections)


@pytest.mark.parametrize(("name", "reason"), REFUSED)
def test_a_broken_or_locked_real_file_is_refused_with_its_reason(name, reason):
    with pytest.raises(ParseError, match=reason):
        parse_document((FILES / name).read_bytes(), name)


@pytest.mark.django_db
def test_every_real_file_ends_indexed_or_failed_with_a_reason_and_nothing_partial(empty_index):
    for name, _, _ in READABLE:
        document = ingested(name, (FILES / name).read_bytes())
        assert document.status == Status.INDEXED, (name, document.failure_reason)
        assert index_chunks(document_id=document.pk), name
    for name, reason in REFUSED:
        document = ingested(name, (FILES / name).read_bytes())
        assert document.status == Status.FAILED and reason in document.failure_reason, name
        assert index_chunks(document_id=document.pk) == [], name
