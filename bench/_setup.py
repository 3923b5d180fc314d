"""Shared start for benchmarks: a throw-away data folder and Django set up on it."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def django_in_temp_dir(*, embedded_chroma: bool = True) -> Path:
    data_dir = Path(tempfile.mkdtemp(prefix="kb-bench-"))
    os.environ["KB_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb_assistant.settings")
    if embedded_chroma:
        os.environ.pop("CHROMA_HOST", None)
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return data_dir
