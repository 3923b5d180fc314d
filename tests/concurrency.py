"""Writers that hit the database at the same moment, each thread on its own connection, as
web processes and workers do. Needs `django_db(transaction=True)`: the threads see only what
is committed."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connection


def at_once(writers: int, write: Callable[[int], None]) -> None:
    """Run `write(n)` for n in range(writers) in threads released together; re-raise the first
    error any of them hit."""
    start = threading.Barrier(writers)

    def run(n: int) -> None:
        try:
            start.wait(timeout=30)
            write(n)
        finally:
            connection.close()  # this thread's own connection

    with ThreadPoolExecutor(max_workers=writers) as pool:
        for future in [pool.submit(run, n) for n in range(writers)]:
            future.result()
