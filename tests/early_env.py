"""Loaded by pytest before Django's settings (`-p tests.early_env` in pyproject.toml).

Every test run gets its own data folder and its own Redis and Chroma ports, so the suite
never touches `var/` (but for reading the models installed in `var/models`) or a developer's
running services.
"""

import os
import socket
import tempfile
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DATA_DIR = tempfile.mkdtemp(prefix="kb-test-")
REDIS_PORT = _free_port()
CHROMA_PORT = _free_port()

os.environ.update(
    {
        "KB_DATA_DIR": DATA_DIR,
        "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(CHROMA_PORT),
        "DJANGO_ALLOW_ASYNC_UNSAFE": "true",  # Playwright's sync API runs an event loop in the test thread
        "HF_HUB_OFFLINE": "1",
        "LOCAL_LLM_THREADS": "1",  # the loopback cloud server and the worker share the two cores
        # The suite's local model is the smallest real one, so that its many drafts fit the
        # suite's time; the product's default is tested on its own (test_default_local_model.py).
        "LOCAL_LLM_MODEL": "smollm2-135m",
    }
)
# Models are installed once (`make install`) into the project's own folder, not per run.
os.environ.setdefault("LOCAL_MODELS_DIR", str(Path(__file__).resolve().parent.parent / "var" / "models"))
for name in (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "DATABASE_URL",
    "DJANGO_SECRET_KEY",
    "LOCAL_LLM_PATH",
):
    os.environ.pop(name, None)
# The test command's own PostgreSQL server (scripts/test.sh), never a developer's DATABASE_URL.
if os.environ.get("KB_TEST_DATABASE_URL"):
    os.environ["DATABASE_URL"] = os.environ["KB_TEST_DATABASE_URL"]
