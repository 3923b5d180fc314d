"""Shared start for benchmarks: a throw-away data folder and Django set up on it."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_in_temp_dir(*, embedded_chroma: bool = True) -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    os.environ["KB_DATA_DIR"] = str(data_dir)
    # The models installed once (`make install`, `manage.py install_local_model`), not per run.
    os.environ.setdefault("LOCAL_MODELS_DIR", str(ROOT / "var" / "models"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")
    if embedded_chroma:
        os.environ.pop("CHROMA_HOST", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data_dir


CORPUS = ROOT.parent / "shared" / "corpus" / "18f-handbook" / "pages"


def ingest_handbook_edition(edition: int) -> tuple[int, int, int]:
    """Ingest every page of the 18F handbook once more, as edition N (new content, so dedupe
    does not skip it). Returns (documents, chunks, bytes)."""
    from django.conf import settings

    from ingestion.pipeline import ingest_document
    from ingestion.services import document_submit

    documents = chunks = size = 0
    for page in sorted(CORPUS.rglob("*.md")):
        data = f"Edition {edition}\n\n".encode() + page.read_bytes()
        result = document_submit(
            filename=f"{edition}-{page.name}", data=data, uploaded_by=None, groups=[],
            sensitivity="internal", max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=False,
        )  # fmt: skip
        chunks += ingest_document(result.document.pk).chunks
        documents, size = documents + 1, size + len(data)
    return documents, chunks, size
