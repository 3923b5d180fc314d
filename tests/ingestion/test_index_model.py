"""An index built by another embedding model, against the real Chroma server and model."""

from datetime import timedelta

import pytest

from ingestion.embed import embedding_model_path
from ingestion.models import Status
from ingestion.services import document_requeue_pending
from ingestion.store import index_chunks
from tests.ingestion.test_services import POLICY_V1, ingested

VPN_GUIDE = b"# VPN\n\nConnect to the VPN before opening the intranet. Sessions end after 12 hours.\n"


@pytest.mark.django_db
def test_an_index_built_by_another_model_fails_the_document_and_names_the_fix(
    empty_index, settings, tmp_path
):
    # The same weights under another folder name are, to the index, another model.
    another_model = tmp_path / "another-embedding-model"
    another_model.symlink_to(embedding_model_path(), target_is_directory=True)
    settings.EMBEDDING_MODEL_PATH = str(another_model)
    assert ingested("leave.md", POLICY_V1).status == Status.INDEXED
    settings.EMBEDDING_MODEL_PATH = ""

    document = ingested("vpn.md", VPN_GUIDE)

    assert document.status == Status.FAILED
    assert "manage.py reindex" in document.failure_reason
    assert document.pk not in document_requeue_pending(stale_after=timedelta(0))
    settings.EMBEDDING_MODEL_PATH = str(another_model)
    assert index_chunks(document_id=document.pk) == []
