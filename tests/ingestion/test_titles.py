"""Documents indexed before ingestion kept the parser's title still carried their file's name;
`manage.py refresh_titles` (run by `make run`) gives them their real title, on the row and on
their chunks, by parsing the stored original again — no re-ingestion (issue 15)."""

from io import StringIO

import pytest
from django.core.management import call_command

from ingestion.models import Document
from ingestion.pipeline import ingest_document
from ingestion.store import index_chunks, index_set_title
from tests.ingestion.test_services import POLICY_V1, submit
from tests.processes import ROOT

pytestmark = pytest.mark.django_db


def indexed(name: str, data: bytes) -> Document:
    document = submit(name, data)
    assert ingest_document(document.pk).outcome == "indexed"
    return Document.objects.get(pk=document.pk)


def named_after_its_file(document: Document) -> Document:
    """The state an ingestion before the parser's title was kept left behind."""
    slug = document.original_name.rsplit(".", 1)[0]
    index_set_title(document_id=document.pk, title=slug)
    Document.objects.filter(pk=document.pk).update(title=slug)
    return Document.objects.get(pk=document.pk)


def refresh_titles() -> str:
    out = StringIO()
    call_command("refresh_titles", stdout=out)
    return out.getvalue().strip()


def chunk_titles(document: Document) -> set[str]:
    return {chunk.metadata["title"] for chunk in index_chunks(document_id=document.pk)}


def test_a_document_named_after_its_file_gets_the_parsers_title_without_reingestion(empty_index):
    old = named_after_its_file(indexed("leave-policy.md", POLICY_V1))
    chunk_ids = [chunk.chunk_id for chunk in index_chunks(document_id=old.pk)]
    assert old.title == "leave-policy" and chunk_titles(old) == {"leave-policy"}

    assert refresh_titles() == "1 documents retitled"

    document = Document.objects.get(pk=old.pk)
    assert document.title == "Leave policy" and chunk_titles(document) == {"Leave policy"}
    assert [chunk.chunk_id for chunk in index_chunks(document_id=old.pk)] == chunk_ids
    assert (document.version, document.indexed_at) == (old.version, old.indexed_at)  # not re-ingested
    assert refresh_titles() == "0 documents retitled"  # a second start changes nothing


def test_a_title_given_by_hand_and_a_file_that_no_longer_parses_are_left_alone(empty_index):
    renamed = named_after_its_file(indexed("leave-policy.md", POLICY_V1))
    Document.objects.filter(pk=renamed.pk).update(title="Leave (HR)")
    pdf = (ROOT / "samples" / "travel-and-expense-policy.pdf").read_bytes()
    broken = named_after_its_file(indexed("travel-and-expense-policy.pdf", pdf))
    with broken.file.open("wb") as handle:  # the stored original is no longer a readable PDF
        handle.write(pdf[: len(pdf) // 3])

    assert refresh_titles() == "0 documents retitled"

    assert Document.objects.get(pk=renamed.pk).title == "Leave (HR)"
    broken.refresh_from_db()
    assert broken.title == "travel-and-expense-policy" and chunk_titles(broken) == {
        "travel-and-expense-policy"
    }
