"""The local model's queue on its own: one turn at a time, a bounded line and a deadline.
Real threads, no model (the HTTP stories are in tests/chat/test_admission.py)."""

import threading
import time
from collections.abc import Callable

import pytest

from router.admission import LocalModelBusy, ModelQueue, QueueLimits


def in_thread(action: Callable[[], object]) -> tuple[threading.Thread, list[object]]:
    """Run `action` in a thread; the list receives what it returned or raised."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(action())
        except LocalModelBusy as busy:
            outcome.append(busy)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def served(queue: ModelQueue) -> str:
    with queue.turn():
        return "served"


def wait_for_line(queue: ModelQueue, length: int) -> None:
    deadline = time.monotonic() + 5
    while len(queue._line) < length:
        assert time.monotonic() < deadline, "nobody joined the line"
        time.sleep(0.005)


def test_the_next_request_waits_for_its_turn_and_then_gets_it():
    queue = ModelQueue(QueueLimits(waiting=1, wait_seconds=5))
    order: list[str] = []

    def second() -> None:
        with queue.turn():
            order.append("second")

    with queue.turn():
        thread, outcome = in_thread(second)
        wait_for_line(queue, 1)
        order.append("first")
    thread.join(5)

    assert order == ["first", "second"] and outcome == [None]


def test_beyond_the_bound_a_request_is_refused_at_once():
    queue = ModelQueue(QueueLimits(waiting=1, wait_seconds=3))
    with queue.turn():
        waiter, waited = in_thread(lambda: served(queue))
        wait_for_line(queue, 1)
        started = time.monotonic()
        with pytest.raises(LocalModelBusy) as refused:
            served(queue)
        took = time.monotonic() - started
    waiter.join(5)

    assert took < 0.1 and waited == ["served"]
    assert "already wait" in str(refused.value)


def test_a_request_that_waits_past_the_deadline_is_refused_and_leaves_the_line():
    queue = ModelQueue(QueueLimits(waiting=1, wait_seconds=0.2))
    with queue.turn():
        started = time.monotonic()
        thread, outcome = in_thread(lambda: served(queue))
        thread.join(5)
        waited = time.monotonic() - started
        assert isinstance(outcome[0], LocalModelBusy) and 0.15 < waited < 2
        assert len(queue._line) == 0
    assert served(queue) == "served"  # free again, taken at once


def test_turns_are_handed_on_in_arrival_order():
    queue = ModelQueue(QueueLimits(waiting=5, wait_seconds=5))
    order: list[int] = []

    def take(n: int) -> None:
        with queue.turn():
            order.append(n)

    threads = []
    with queue.turn():
        for n in range(5):
            thread, _ = in_thread(lambda n=n: take(n))
            threads.append(thread)
            wait_for_line(queue, n + 1)
    for thread in threads:
        thread.join(5)

    assert order == [0, 1, 2, 3, 4]


def test_with_no_line_allowed_only_the_holder_is_served():
    queue = ModelQueue(QueueLimits(waiting=0, wait_seconds=5))
    with queue.turn(), pytest.raises(LocalModelBusy) as refused:
        served(queue)
    assert "already wait" in str(refused.value)
