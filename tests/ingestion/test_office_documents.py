"""The documents companies actually have, through the real Celery worker and then asked about:
every well-formed file of a supported type is indexed, every damaged one fails with a reason
and leaves no chunks, the worker survives them all, and a question about a spreadsheet or a
Word table is answered from the right row."""

import pytest
from django.conf import settings

from ingestion.models import Document, Status
from ingestion.pipeline import ingest_document
from ingestion.services import document_submit
from ingestion.store import index_chunks
from kb_assistant.celery import app as celery_app
from router.pipeline import AskRequest, ask
from tests.conftest import group
from tests.ingestion import bad_files
from tests.ingestion.office_files import docx_file, hotel_mail, limits_workbook, travel_deck
from tests.ingestion.scans import scanned_page
from tests.ingestion.test_worker import wait_for_status


def expense_table(document) -> None:
    document.add_heading("Expense approvals", level=1)
    document.add_paragraph("Who approves an expense claim depends on its amount.")
    table = document.add_table(rows=3, cols=2)
    rows = [
        ["Amount", "Approver"],
        ["Up to EUR 5,000", "Line manager"],
        ["Over EUR 50,000", "Chief Financial Officer"],
    ]
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value


def well_formed_files(tmp_path) -> dict[str, bytes]:
    scan, _ = scanned_page("travel-and-expense-policy.pdf", 1, tmp_path)
    return {
        "limits.xlsx": limits_workbook(),
        "limits.csv": b'Role,Approval limit\nCFO,"EUR 250,000"\n',
        "travel.pptx": travel_deck(),
        "hotel.eml": hotel_mail(attachment=True),
        "expenses.docx": docx_file(expense_table),
        "onboarding-gbk.txt": "入职第一天请携带身份证原件和学历证书。".encode("gbk"),
        "bom.pdf": b"\xef\xbb\xbf" + bad_files.text_pdf(),
        "scan.pdf": scan,
    }


def damaged(data: bytes) -> bytes:
    """The first half of the file and a run of junk in the middle: a broken download."""
    half = data[: len(data) // 2]
    return half[: len(half) // 2] + b"\xff" * 64 + half[len(half) // 2 + 64 :]


def submit(name: str, data: bytes, *, enqueue: bool = True) -> Document:
    return document_submit(
        filename=name, data=data, uploaded_by=None, groups=[group("employees")],
        sensitivity="internal", max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=enqueue,
    ).document  # fmt: skip


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_worker_indexes_every_well_formed_office_file_and_fails_the_damaged_ones(
    celery_worker, empty_index, tmp_path
):
    files = well_formed_files(tmp_path)
    good = {name: submit(name, data) for name, data in files.items()}
    bad = {
        name: submit(f"damaged-{name}", damaged(data))
        for name, data in files.items()
        if name.endswith((".xlsx", ".pptx", ".docx", ".pdf"))
    }

    for name, document in good.items():
        done = wait_for_status(document.pk, Status.INDEXED, Status.FAILED, timeout=180)
        assert done.status == Status.INDEXED, f"{name}: {done.failure_reason}"
        assert len(index_chunks(document_id=done.pk)) == done.chunk_count > 0
    for name, document in bad.items():
        done = wait_for_status(document.pk, Status.INDEXED, Status.FAILED, timeout=180)
        assert done.status == Status.FAILED, f"damaged {name} was indexed"
        assert len(done.failure_reason) > 10
        assert index_chunks(document_id=done.pk) == []
    assert Document.objects.get(pk=good["onboarding-gbk.txt"].pk).detected_encoding == "GB18030"
    scanned = index_chunks(document_id=good["scan.pdf"].pk)
    assert all(chunk.metadata["ocr"] for chunk in scanned)
    assert celery_app.control.ping(timeout=5), "the worker did not survive the damaged files"


@pytest.mark.django_db
def test_a_limit_set_in_the_settings_refuses_the_file_naming_it(empty_index, settings):
    settings.KB_MAX_SHEETS = 1
    document = submit("limits.xlsx", limits_workbook(), enqueue=False)

    ingest_document(document.pk)

    document.refresh_from_db()
    assert document.status == Status.FAILED
    assert document.failure_reason == "the workbook has 2 sheets, over the limit of 1"


@pytest.fixture
def office_kb(empty_index, db):
    documents = {
        "sheet": submit("approval-limits.xlsx", limits_workbook(), enqueue=False),
        "word": submit("expense-approvals.docx", docx_file(expense_table), enqueue=False),
    }
    for document in documents.values():
        ingest_document(document.pk)
        document.refresh_from_db()
        assert document.status == Status.INDEXED, document.failure_reason
    return documents


@pytest.mark.parametrize(
    ("question", "document", "row"),
    [
        ("What is the approval limit for a CFO?", "sheet", "Role: CFO · Approval limit (EUR): 250,000"),
        ("CFO 的审批上限是多少？", "sheet", "Role: CFO · Approval limit (EUR): 250,000"),
        (
            "Who approves an expense claim over EUR 50,000?",
            "word",
            "Amount: Over EUR 50,000 · Approver: Chief",
        ),
    ],
)
def test_a_question_over_a_sheet_or_word_table_is_answered_from_the_right_row(
    office_kb, alice, question, document, row
):
    trace, meta = ask(AskRequest(question=question, user=alice))

    assert meta is not None
    cited = {c["document_id"] for c in meta.citations}
    assert office_kb[document].pk in cited
    assert row in trace.answer, trace.answer
