from io import StringIO

import pytest
from django.core.management import call_command

from ingestion.models import Document


@pytest.fixture
def sample_kb(empty_index, db):
    """The demo users and the sample documents, ingested in this process."""
    call_command("seed_demo", stdout=StringIO())
    call_command("load_samples", sync=True, stdout=StringIO())
    assert Document.objects.filter(status="indexed").count() == Document.objects.count() >= 7
    return Document.objects.all()
