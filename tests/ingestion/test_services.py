"""The ingestion pipeline in this process, against the real Chroma server and embedding model."""

from pathlib import Path

import pytest
from django.conf import settings

from ingestion.models import Document, Status
from ingestion.pipeline import ingest_document
from ingestion.services import UploadRejected, document_delete, document_set_access, document_submit
from ingestion.store import index_chunks, index_query, readers_filter
from tests.conftest import group
from tests.ingestion import bad_files

POLICY_V1 = b"""# Leave policy

## Annual leave
Every employee receives 25 days of annual leave per calendar year.
Requests go through the HR portal at least two weeks in advance.

## Sick leave
Sick leave needs a doctor's note after three consecutive days.
"""
POLICY_V2 = POLICY_V1.replace(b"25 days", b"28 days")


def submit(name: str, data: bytes, user=None, groups=(), sensitivity="internal") -> Document:
    result = document_submit(
        filename=name,
        data=data,
        uploaded_by=user,
        groups=list(groups),
        sensitivity=sensitivity,
        max_bytes=settings.KB_UPLOAD_MAX_BYTES,
        same_name="new_version",
        enqueue=False,
    )
    return result.document


def ingested(name: str, data: bytes, **kwargs) -> Document:
    document = submit(name, data, **kwargs)
    ingest_document(document.pk)
    document.refresh_from_db()
    return document


@pytest.mark.django_db
def test_it_indexes_a_markdown_policy_with_its_headings(empty_index, kim):
    document = ingested("leave.md", POLICY_V1, user=kim, groups=[group("employees")])

    assert document.status == Status.INDEXED, document.failure_reason
    assert document.detected_type == "markdown"
    chunks = index_chunks(document_id=document.pk)
    assert len(chunks) == document.chunk_count > 0
    assert any("Annual leave" in c.metadata["heading"] for c in chunks)
    assert all(c.metadata["readers"] == [f"g{group('employees').pk}"] for c in chunks)


@pytest.mark.django_db
def test_the_same_content_twice_is_recognised_and_not_indexed_twice(empty_index):
    first = ingested("leave.md", POLICY_V1)
    again = document_submit(
        filename="copy-of-leave.md", data=POLICY_V1, uploaded_by=None, groups=[], sensitivity="internal",
        max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=False,
    )  # fmt: skip

    assert again.outcome == "duplicate"
    assert again.document.pk == first.pk
    assert Document.objects.count() == 1
    assert len(index_chunks(document_id=first.pk)) == first.chunk_count


@pytest.mark.django_db
def test_running_the_pipeline_twice_never_duplicates_chunks(empty_index):
    document = ingested("leave.md", POLICY_V1)
    ingest_document(document.pk)

    assert len(index_chunks(document_id=document.pk)) == document.chunk_count


@pytest.mark.django_db
def test_a_new_version_replaces_the_old_chunks(empty_index):
    first = ingested("leave.md", POLICY_V1)
    second = ingested("leave.md", POLICY_V2)

    assert second.pk == first.pk
    assert (second.version, second.indexed_version) == (2, 2)
    texts = " ".join(c.text for c in index_chunks(document_id=second.pk))
    assert "28 days" in texts and "25 days" not in texts
    assert {c.version for c in index_chunks(document_id=second.pk)} == {2}


@pytest.mark.django_db
def test_a_failed_new_version_keeps_the_old_one_answering(empty_index):
    first = ingested("leave.md", POLICY_V1)
    second = ingested("leave.md", b"\x00\x01binary garbage\xff\xfe" * 50)

    assert second.status == Status.FAILED and second.failure_reason
    assert second.indexed_version == first.version
    assert {c.version for c in index_chunks(document_id=second.pk)} == {first.version}


@pytest.mark.django_db
def test_delete_removes_the_file_the_row_and_every_chunk(empty_index):
    document = ingested("leave.md", POLICY_V1)
    document_id, stored = document.pk, Path(document.file.path)

    document_delete(document=document)

    assert not Document.objects.filter(pk=document_id).exists()
    assert index_chunks(document_id=document_id) == []
    assert not stored.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("make", bad_files.ALL, ids=lambda f: f.__name__)
def test_bad_input_fails_with_a_reason_and_leaves_no_chunks(empty_index, make):
    name, data = make()
    try:
        document = ingested(name, data)
    except UploadRejected as exc:
        assert str(exc)
        assert Document.objects.count() == 0
        return
    assert document.status == Status.FAILED
    assert len(document.failure_reason) > 10
    assert index_chunks(document_id=document.pk) == []


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_rejected_before_it_is_stored(settings):
    settings.KB_UPLOAD_MAX_BYTES = 1024
    with pytest.raises(UploadRejected, match="limit"):
        submit("big.txt", b"a" * 2048)
    assert Document.objects.count() == 0


@pytest.mark.django_db
def test_changing_who_may_read_follows_into_the_index_at_once(empty_index, alice, bob):
    hr, finance = group("hr"), group("finance")
    document = ingested("leave.md", POLICY_V1, groups=[hr])
    vector = index_chunks(document_id=document.pk)[0]
    from ingestion.embed import get_embedder

    query = get_embedder().embed(["annual leave days"])[0]
    assert index_query(embedding=query, where=readers_filter([finance.pk]), limit=5) == []

    document_set_access(document=document, groups=[finance], sensitivity="confidential")

    found = index_query(embedding=query, where=readers_filter([finance.pk]), limit=5)
    assert {c.document_id for c in found} == {document.pk}
    assert {c.metadata["sensitivity"] for c in found} == {"confidential"}
    assert vector.chunk_id in {c.chunk_id for c in found}


@pytest.mark.django_db
def test_uploads_access_changes_and_deletes_are_on_the_audit_record(empty_index, kim):
    from kb_assistant.audit.models import AuditRecord

    document = ingested("leave.md", POLICY_V1, user=kim)
    document_set_access(document=document, groups=[group("hr")], sensitivity="restricted", by=kim)
    document_delete(document=document, by=kim)

    records = list(AuditRecord.objects.order_by("seq").values_list("kind", "username"))
    assert records == [("document_upload", "kim"), ("permission_change", "kim"), ("document_delete", "kim")]
    change = AuditRecord.objects.get(kind="permission_change").detail
    assert change["groups_after"] == ["hr"] and change["sensitivity_after"] == "restricted"
