"""Celery workers a test starts itself, beside (and instead of) the session's worker."""

import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
from django.conf import settings

from kb_assistant.celery import app as celery_app
from tests import early_env, processes


@contextmanager
def session_worker_paused() -> Iterator[None]:
    """The session worker, if running, stops consuming for the block and resumes after it,
    so that only the test's own workers take its tasks."""
    session_worker = [processes.session_worker_name()]
    celery_app.control.cancel_consumer("celery", destination=session_worker, reply=True, timeout=1)
    try:
        yield
    finally:
        celery_app.control.add_consumer("celery", destination=session_worker, reply=True, timeout=1)


class Workers:
    """Celery workers of this test, started and killed by name, on the test database."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.running: list[subprocess.Popen] = []

    def start(self, name: str) -> subprocess.Popen:
        database = processes.database_url(settings.DATABASES["default"])
        env = {**os.environ, "DATABASE_URL": database, **self.env}
        node = self.node(name)
        process = processes.start_worker(env, self.log(name), name=node)
        self.running.append(process)
        processes.wait_until(
            lambda: bool(celery_app.control.ping(destination=[node], timeout=0.5)),
            timeout=90,
            what=f"worker {name}",
            process=process,
        )
        return process

    @staticmethod
    def node(name: str) -> str:
        return f"{name}-{os.getpid()}@{socket.gethostname()}"

    @staticmethod
    def log(name: str) -> Path:
        return Path(early_env.DATA_DIR) / f"worker-{name}.log"

    def kill(self, process: subprocess.Popen) -> None:
        """kill -9 of the worker and its pool at once, as when its machine is lost."""
        pool = psutil.Process(process.pid).children(recursive=True)
        for pid in [process.pid, *(child.pid for child in pool)]:
            os.kill(pid, signal.SIGKILL)
        process.wait()

    def stop_all(self) -> None:
        for process in self.running:
            processes.stop(process)
