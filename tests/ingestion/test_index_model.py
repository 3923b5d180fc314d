"""An index built by another embedding model, against the real Chroma server and model."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from ingestion.models import Status
from ingestion.services import document_requeue_pending
from ingestion.store import IndexModelMismatch, index_chunks
from tests.ingestion.test_services import POLICY_V1, ingested

VPN_GUIDE = b"# VPN\n\nConnect to the VPN before opening the intranet. Sessions end after 12 hours.\n"


@pytest.mark.django_db
def test_an_index_built_by_another_model_fails_the_document_and_names_the_fix(empty_index, settings):
    settings.EMBEDDING_MODEL = "minilm"  # the product's first model, before the switch
    assert ingested("leave.md", POLICY_V1).status == Status.INDEXED
    settings.EMBEDDING_MODEL = "use-multilingual"

    document = ingested("vpn.md", VPN_GUIDE)

    assert document.status == Status.FAILED
    assert "manage.py reindex" in document.failure_reason
    assert document.pk not in document_requeue_pending(stale_after=timedelta(0))
    settings.EMBEDDING_MODEL = "minilm"
    assert index_chunks(document_id=document.pk) == []


@pytest.mark.django_db
def test_reindex_is_how_the_embedding_model_is_switched(empty_index, settings):
    settings.EMBEDDING_MODEL = "minilm"
    leave = ingested("leave.md", POLICY_V1)
    settings.EMBEDDING_MODEL = "use-multilingual"

    call_command("reindex", "--sync", stdout=io.StringIO())

    leave.refresh_from_db()
    assert leave.status == Status.INDEXED
    assert index_chunks(document_id=leave.pk)  # the index now says which model built it
    assert ingested("vpn.md", VPN_GUIDE).status == Status.INDEXED
    settings.EMBEDDING_MODEL = "minilm"
    with pytest.raises(IndexModelMismatch, match="use-multilingual-v3"):
        index_chunks(document_id=leave.pk)


@pytest.mark.django_db
def test_reindex_if_model_changed_rebuilds_only_an_index_of_another_model(empty_index, settings):
    settings.EMBEDDING_MODEL = "minilm"
    leave = ingested("leave.md", POLICY_V1)
    settings.EMBEDDING_MODEL = "use-multilingual"

    call_command("reindex", "--sync", "--if-model-changed", stdout=io.StringIO())
    assert index_chunks(document_id=leave.pk)  # rebuilt with the configured model
    out = io.StringIO()
    call_command("reindex", "--sync", "--if-model-changed", stdout=out)

    assert "nothing to rebuild" in out.getvalue()
    assert index_chunks(document_id=leave.pk)


@pytest.mark.django_db
def test_an_index_of_the_numpy_engine_is_rebuilt_for_the_onnx_one(empty_index, settings):
    settings.EMBEDDING_MODEL = "use-multilingual"  # the same model, another engine: other vectors
    leave = ingested("leave.md", POLICY_V1)
    settings.EMBEDDING_MODEL = "use-multilingual-onnx"
    with pytest.raises(IndexModelMismatch, match="use-multilingual-v3"):
        index_chunks(document_id=leave.pk)

    out = io.StringIO()
    call_command("reindex", "--sync", "--if-model-changed", stdout=out)

    assert "nothing to rebuild" not in out.getvalue()
    assert index_chunks(document_id=leave.pk)
