"""Real files from the parsers' own test suites (see files/README.md): each readable one is
read with its text, each broken or locked one refused with a reason that says why. No
database needed."""

from pathlib import Path

import pytest

from ingestion.parse import ParseError, parse_document

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
