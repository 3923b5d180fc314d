"""Faults to inject into real processes, for the deadline tests and drills: a service that
hangs (SIGSTOP: its port still accepts connections, nothing answers), and short Chroma
deadlines so that such a hang costs a test a second instead of the production ten."""

import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def hung(process: subprocess.Popen) -> Iterator[None]:
    """The process is stopped for the block and always resumed after it."""
    os.kill(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.kill(process.pid, signal.SIGCONT)


@contextmanager
def chroma_deadlines(settings, *, seconds: float) -> Iterator[None]:
    """A Chroma client built for the block with these timeouts (`settings`: pytest-django's
    fixture or django.conf.settings), and one with the configured timeouts after it."""
    from ingestion.store import _client

    before = settings.CHROMA_TIMEOUT_SECONDS, settings.CHROMA_CONNECT_TIMEOUT_SECONDS
    settings.CHROMA_TIMEOUT_SECONDS = settings.CHROMA_CONNECT_TIMEOUT_SECONDS = seconds
    _client.cache_clear()
    try:
        yield
    finally:
        settings.CHROMA_TIMEOUT_SECONDS, settings.CHROMA_CONNECT_TIMEOUT_SECONDS = before
        _client.cache_clear()
