"""Condensing reads a document's structure: a table row is one unit with its column names and
is picked by the values the question names, a heading or title is never the answer, a list
keeps its lead-in, and every part of a multi-part question is answered and cited. Real
parser, chunker and embedding model, on the samples and in both languages."""

from pathlib import Path

import pytest

from ingestion.chunk import chunk_document
from ingestion.embed import get_embedder
from ingestion.parse import parse_document
from ingestion.text import split_sentences
from router.condense import CondensedContext, Passage, condense
from router.config import router_config
from router.generate import local_answer
from router.parts import question_parts
from tests.fakes import ScriptedBackend

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
BUDGET = 300


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


def sample_passages(name: str, embedder) -> list[Passage]:
    """A sample as the index holds it: parsed and chunked, each chunk a passage."""
    parsed = parse_document((SAMPLES / name).read_bytes(), name)
    chunks = chunk_document(parsed, count_tokens=embedder.count_tokens)
    return [
        Passage(chunk_id=f"{name}#{c.position}", text=c.text, title=parsed.title or "", heading=c.heading)
        for c in chunks
    ]


def condensed_for(question: str, passages: list[Passage], embedder) -> CondensedContext:
    return condense(question, passages, budget_tokens=BUDGET, embedder=embedder)


def best(condensed: CondensedContext) -> str:
    """What was kept first, with what it is read through (its lead-in, its items)."""
    return " ".join(k.text for k in condensed.kept if k.rank == 0)


def quoted_answer(question: str, condensed: CondensedContext) -> tuple[str, ScriptedBackend]:
    """The local route's answer, with a model whose draft never sticks to the context, so
    that it is always the quoted passages; and the model, to see whether it was asked."""
    backend = ScriptedBackend(reply="Zebras migrate across Antarctica every winter.")
    answer = "".join(
        local_answer(
            question=question,
            intent="general",
            condensed=condensed,
            backend=backend,
            config=router_config(),
            drafts_chinese=True,
        )
    )
    return answer, backend


# --- table rows ----------------------------------------------------------------------

EXPENSES = Passage(
    chunk_id="expenses#0",
    title="Expense approvals",
    text=(
        "Who approves an expense claim depends on its amount.\n"
        "Amount · Approver\n"
        "Up to EUR 5,000 · Line manager\n"
        "EUR 5,000 to 50,000 · Department director\n"
        "Over EUR 50,000 · Chief Financial Officer"
    ),
)
EXPENSES_ZH = Passage(
    chunk_id="expenses-zh#0",
    title="费用审批",
    text=(
        "费用报销由谁审批取决于金额。\n"
        "金额: 5,000 元以下 · 审批人: 部门经理\n"
        "金额: 5,000 至 50,000 元 · 审批人: 财务总监\n"
        "金额: 50,000 元以上 · 审批人: 首席财务官"
    ),
)


def test_a_table_row_is_one_unit_whatever_its_cells_hold():
    row = "Item: Hotel · Rule: Book early. Pay by card. · Limit: EUR 220"

    assert split_sentences(f"Rules apply. Read them.\n{row}") == ["Rules apply.", "Read them.", row]


@pytest.mark.parametrize(
    ("question", "passage", "row"),
    [
        (
            "Who approves an expense claim over EUR 50,000?",
            EXPENSES,
            "Amount: Over EUR 50,000 · Approver: Chief Financial Officer",
        ),
        ("超过 50,000 元的费用报销由谁审批？", EXPENSES_ZH, "金额: 50,000 元以上 · 审批人: 首席财务官"),
    ],
)
def test_a_question_naming_a_rows_values_gets_that_row_with_its_column_names(
    embedder, question, passage, row
):
    condensed = condensed_for(question, [passage], embedder)

    assert row in best(condensed)
    assert not any(
        other in best(condensed) for other in ("Line manager", "Department director", "部门经理", "财务总监")
    )
    assert row in quoted_answer(question, condensed)[0]


def test_the_london_hotel_limit_is_the_row_with_eur_220_and_its_column_names(embedder):
    passages = sample_passages("travel-and-expense-policy.pdf", embedder)

    condensed = condensed_for("What is the hotel limit in London?", passages, embedder)

    assert "City tier: Tier 1 · Examples: London" in best(condensed)
    assert "Limit per night: EUR 220" in best(condensed)


def test_the_approver_of_a_claim_over_50000_yuan_is_read_from_a_row_with_its_column_names(embedder):
    passages = sample_passages("finance-approval-matrix-zh.docx", embedder)

    condensed = condensed_for("费用报销超过5万元需要谁审批？", passages, embedder)

    assert best(condensed).startswith(
        "事项: 费用报销 · 部门经理: 5,000 元 · 财务总监: 50,000 元 · 首席财务官"
    )


# --- headings and titles ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "text", "title", "heading_line"),
    [
        (
            "What is the probation period for new employees?",
            "Probation period\nNew employees serve a probation period of 6 months.\nNotice is 2 weeks.",
            "HR handbook",
            "Probation period",
        ),
        (
            "新员工入职手册的试用期是多久？",
            "新员工入职手册\n三、试用期\n试用期为 6 个月。\n入职满 3 个月时进行中期沟通。",
            "新员工入职手册",
            "三、试用期",
        ),
    ],
)
def test_a_heading_or_title_alone_is_never_kept(embedder, question, text, title, heading_line):
    condensed = condensed_for(question, [Passage(chunk_id="hr#0", text=text, title=title)], embedder)

    kept = [k.text for k in condensed.kept]
    assert title not in kept and heading_line not in kept
    assert any("6" in k for k in kept)


def test_a_chunk_starts_at_a_heading_written_as_a_line_of_text(embedder):
    passages = sample_passages("onboarding-handbook-zh.txt", embedder)

    assert [p.text.splitlines()[0] for p in passages[1:4]] == [
        "一、入职第一天",
        "二、入职第一周",
        "三、试用期",
    ]


# --- lists -----------------------------------------------------------------------------


def test_the_materials_for_the_first_day_are_the_list_not_the_handbooks_introduction(embedder):
    passages = sample_passages("onboarding-handbook-zh.txt", embedder)
    question = "新员工入职第一天需要带哪些材料？"

    condensed = condensed_for(question, passages, embedder)

    assert best(condensed).startswith("报到时请携带以下材料：身份证原件、学历和学位证书原件")
    answer, _ = quoted_answer(question, condensed)
    first_quote = answer.split("\n\n", 1)[1].splitlines()[0]
    assert "身份证原件" in first_quote


@pytest.mark.parametrize(
    ("question", "text", "lead_in", "item"),
    [
        (
            "Who is the HR contact for Germany?",
            "Contacts\nQuestions about this policy go to the HR Business Partner for your site:\n"
            "United Kingdom and Germany: Maria Gonzalez, +44 20 7946 0321\n"
            "China (Shanghai): Chen Jing, +86 138 1762 4409",
            "Questions about this policy go to the HR Business Partner for your site:",
            "United Kingdom and Germany: Maria Gonzalez, +44 20 7946 0321",
        ),
        (
            "交通补贴每月多少钱？",
            "五、福利\n员工享有以下福利：\n- 午餐补贴：每个工作日 30 元，随工资发放；\n- 交通补贴：每月 500 元；\n"
            "- 年度体检：每年一次，由公司统一安排。",
            "员工享有以下福利：",
            "- 交通补贴：每月 500 元；",
        ),
    ],
)
def test_a_kept_list_item_comes_with_its_lead_in(embedder, question, text, lead_in, item):
    condensed = condensed_for(question, [Passage(chunk_id="list#0", text=text)], embedder)

    kept = [k.text for k in condensed.kept]
    assert item in kept and lead_in in kept
    assert kept.index(lead_in) < kept.index(item)


@pytest.mark.parametrize(
    ("question", "items"),
    [
        ("员工有哪些福利？", ["午餐补贴", "交通补贴", "学习基金"]),
        ("What benefits do employees get?", ["午餐补贴", "学习基金"]),
    ],
)
def test_a_kept_lead_in_comes_with_its_items(embedder, question, items):
    passages = sample_passages("onboarding-handbook-zh.txt", embedder)

    rendered = condensed_for(question, passages, embedder).render()

    assert "员工享有以下福利：" in rendered
    assert all(item in rendered for item in items)


def test_a_list_cut_by_the_chunk_budget_repeats_its_lead_in(embedder):
    from ingestion.parse import ParsedDocument, Section

    items = [
        Section(f"- Item {n}: a benefit described in a few words, number {n};", "Benefits", None)
        for n in range(40)
    ]
    parsed = ParsedDocument(
        "text", "Benefits", [Section("Employees receive the following benefits:", "Benefits", None), *items]
    )

    chunks = chunk_document(parsed, count_tokens=embedder.count_tokens, max_tokens=120, overlap_tokens=20)

    assert len(chunks) > 2
    assert all(c.text.startswith("Employees receive the following benefits:") for c in chunks)


# --- multi-part questions ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "How many parking spaces are there, and what is the cycling allowance?",
            ["How many parking spaces are there", "what is the cycling allowance"],
        ),
        ("What is the hotel limit in London and Paris?", ["What is the hotel limit in London and Paris?"]),
        ("午餐补贴是多少？另外交通补贴呢？", ["午餐补贴是多少", "交通补贴呢"]),
        ("年假有几天和病假呢？", ["年假有几天", "病假呢"]),
        ("试用期多长，以及远程办公每周最多几天？", ["试用期多长", "远程办公每周最多几天"]),
        ("午餐补贴是多少，交通补贴是多少？", ["午餐补贴是多少", "交通补贴是多少"]),
        ("身份证和学历证书都要带吗？", ["身份证和学历证书都要带吗？"]),
    ],
)
def test_a_question_is_split_into_the_parts_it_asks(question, parts):
    assert question_parts(question) == parts


OFFICE = Passage(
    chunk_id="office#0",
    title="Office facilities",
    text=(
        "The Munich office is open from 7:00 to 20:00 on working days.\n"
        "The underground garage has 40 parking spaces for employees, booked in the facilities app.\n"
        "Visitors register at the reception desk on the ground floor.\n"
        "The canteen serves lunch from 11:30 to 14:00."
    ),
)
MOBILITY = Passage(
    chunk_id="mobility#2",
    title="Mobility benefits",
    text=(
        "Employees who cycle to work receive a cycling allowance of EUR 0.25 per kilometre.\n"
        "Public transport tickets are reimbursed up to EUR 49 per month.\n"
        "Company cars are available from grade G6."
    ),
)
OFFICE_ZH = Passage(
    chunk_id="office-zh#0",
    title="办公室设施",
    text="上海办公室工作日 7:00 至 20:00 开放。地下车库有 40 个员工停车位，需在设施应用中预订。访客请到一楼前台登记。",
)
MOBILITY_ZH = Passage(
    chunk_id="mobility-zh#1",
    title="通勤福利",
    text="骑自行车上班的员工每公里可获得 0.25 元骑行补贴。公共交通票每月最多报销 300 元。公司用车从 G6 级别起提供。",
)


@pytest.mark.parametrize(
    ("question", "passages", "answers"),
    [
        (
            "How many parking spaces are there, and what is the cycling allowance?",
            [OFFICE, MOBILITY],
            {"office#0": "40 parking spaces", "mobility#2": "EUR 0.25 per kilometre"},
        ),
        (
            "员工停车位有多少个？另外骑行补贴是多少？",
            [OFFICE_ZH, MOBILITY_ZH],
            {"office-zh#0": "40 个员工停车位", "mobility-zh#1": "0.25 元骑行补贴"},
        ),
        (
            "停车位有多少个，和骑行补贴呢？",
            [OFFICE_ZH, MOBILITY_ZH],
            {"office-zh#0": "40 个员工停车位", "mobility-zh#1": "0.25 元骑行补贴"},
        ),
    ],
)
def test_each_part_of_a_multi_part_question_is_condensed_cited_and_quoted(
    embedder, question, passages, answers
):
    condensed = condensed_for(question, passages, embedder)

    rendered, citations = condensed.render(), condensed.citation_key()
    answer, model = quoted_answer(question, condensed)
    assert model.calls == [], "a small model answers one part at best: the quotes answer each"
    for chunk_id, text in answers.items():
        number = next(n for n, cited in citations.items() if cited == chunk_id)
        assert f"[{number}] " in rendered and text in rendered
        quote = next(line for line in answer.splitlines() if text in line)
        assert quote.endswith(f"[{number}]")
