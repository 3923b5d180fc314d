"""Start and stop the real services the suite runs against, as child processes."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import redis

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def wait_until(
    check: Callable[[], bool], *, timeout: float, what: str, process: subprocess.Popen | None = None
):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        with contextlib.suppress(Exception):  # not up yet
            if check():
                return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not become ready in {timeout:.0f}s")


def start_redis(port: int, data_dir: Path) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1",
         "--save", "", "--appendonly", "no", "--dir", str(data_dir)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    wait_until(lambda: client.ping(), timeout=20, what="redis-server", process=process)
    return process


def start_chroma(port: int, data_dir: Path) -> subprocess.Popen:
    log = open(data_dir.parent / "chroma.log", "ab")  # noqa: SIM115 - lives as long as the process
    process = subprocess.Popen(
        [
            str(VENV_BIN / "chroma"),
            "run",
            "--path",
            str(data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
    wait_until(
        lambda: urllib.request.urlopen(url, timeout=1).status == 200,
        timeout=60,
        what="chroma",
        process=process,
    )
    return process


def start_worker(env: dict[str, str], log_path: Path, name: str = "") -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - lives as long as the process
    return subprocess.Popen(
        [str(VENV_BIN / "celery"), "-A", "kb_assistant", "worker", "--loglevel", "INFO", "--concurrency", "1",
         "--pool", "prefork", "--without-gossip", "--without-mingle", "-n", name or session_worker_name()],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip


def database_url(database: dict) -> str:
    """The DATABASE_URL of the test database (`settings.DATABASES["default"]` once pytest-django
    has set it up), for worker subprocesses: the SQLite file, or the `test_` database on the
    PostgreSQL server that DATABASE_URL names."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    server = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(server._replace(path=f"/{database['NAME']}"))


def session_worker_name() -> str:
    return f"test-{os.getpid()}@{socket.gethostname()}"


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
