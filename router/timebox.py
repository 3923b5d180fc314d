"""A stream read against a deadline. A local model reading a long prompt on a busy CPU
gives no piece for seconds, and a plain loop could only notice the deadline once it did:
the stream is read in a thread of its own, so the reader stops on time whatever it does."""

import queue
import threading
import time
from collections.abc import Generator

_END = object()


class TimeUp(Exception):
    """The deadline passed before the stream ended."""


def until(deadline: float, pieces: Generator[str, None, None]) -> Generator[str, None, None]:
    """The stream's pieces as they come, raising TimeUp once `deadline` (time.monotonic())
    has passed. The stream is closed by its own thread, after its next piece or at once when
    it ends: a model still reading its prompt finishes that, then stops and frees its turn."""
    arrived: queue.Queue[object] = queue.Queue()
    stopped = threading.Event()

    def read() -> None:
        try:
            for piece in pieces:
                if stopped.is_set():
                    break
                arrived.put(piece)
        except Exception as exc:  # handed to the reader, who decides
            arrived.put(exc)
        finally:
            pieces.close()
            arrived.put(_END)

    threading.Thread(target=read, name="timed-stream", daemon=True).start()
    try:
        while True:
            try:
                item = arrived.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise TimeUp from None
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item
            assert isinstance(item, str)
            yield item
    finally:
        stopped.set()
