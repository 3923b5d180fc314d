"""The cloud circuit breaker: its states, and its state shared through the real Redis so that
every web worker learns from the others' failures."""

import socket
import uuid

import pytest
from django.conf import settings

from router.breaker import CircuitBreaker, RedisStore
from tests.conftest import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def shared_key():
    key = f"kb-assistant:test-breaker:{uuid.uuid4().hex}"
    yield key
    RedisStore(settings.REDIS_URL, key=key).clear()


def worker_breaker(key: str, clock: FakeClock, **limits) -> CircuitBreaker:
    """A breaker as one web worker process holds it: its own Redis client on the shared key."""
    return CircuitBreaker(store=RedisStore(settings.REDIS_URL, key=key), clock=clock, **limits)


def test_the_breaker_opens_after_repeated_failures_and_closes_after_a_good_probe(clock):
    breaker = CircuitBreaker(failure_threshold=2, cooldown_seconds=10, clock=clock)
    breaker.record_failure()
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.status().state == "open" and not breaker.allow()

    clock.now += 11
    assert breaker.status().state == "half_open"
    assert breaker.allow() and not breaker.allow()  # exactly one probe
    breaker.record_success()
    assert breaker.status().state == "closed" and breaker.allow()
    assert breaker.status().openings == 1


def test_a_failed_probe_opens_the_breaker_again(clock):
    breaker = CircuitBreaker(failure_threshold=1, cooldown_seconds=5, clock=clock)
    breaker.record_failure()
    clock.now += 6
    assert breaker.allow()
    breaker.record_failure()
    assert breaker.status().state == "open"
    assert breaker.status().openings == 2


def test_failures_seen_by_one_worker_open_the_breaker_for_every_worker(shared_key, clock):
    first, second = (
        worker_breaker(shared_key, clock, failure_threshold=2, cooldown_seconds=10) for _ in "ab"
    )

    first.record_failure()
    second.record_failure()

    assert first.status().state == second.status().state == "open"
    assert not first.allow() and not second.allow()
    clock.now += 11
    assert [first.allow(), second.allow(), first.allow()].count(True) == 1, "one probe among all workers"
    second.record_success()
    assert first.status().state == "closed" and first.status().openings == 1


def test_a_probe_whose_worker_died_does_not_keep_the_cloud_shut_forever(shared_key, clock):
    first, second = (
        worker_breaker(shared_key, clock, failure_threshold=1, cooldown_seconds=10) for _ in "ab"
    )
    first.record_failure()
    clock.now += 11
    assert first.allow()  # ... and this worker never reports back

    clock.now += 11
    assert second.allow(), "the probe's lease ran out; another worker may try"


def test_without_redis_the_breaker_still_works_in_the_process(clock):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{closed_port}/0")
    breaker = CircuitBreaker(failure_threshold=1, cooldown_seconds=10, store=store, clock=clock)

    breaker.record_failure()

    assert breaker.status().state == "open" and not breaker.allow()
    clock.now += 11
    assert breaker.allow()
    breaker.record_success()
    assert breaker.status().state == "closed"


def test_a_permanent_failure_opens_the_breaker_at_once(clock):
    breaker = CircuitBreaker(failure_threshold=3, cooldown_seconds=10, clock=clock)
    breaker.record_failure(permanent=True)
    status = breaker.status()
    assert status.state == "open" and status.permanent and not breaker.allow()

    clock.now += 11
    assert breaker.allow()
    breaker.record_success()
    assert not breaker.status().permanent


def test_every_worker_sees_the_same_cloud_latency(shared_key, clock):
    first, second = (
        worker_breaker(shared_key, clock, failure_threshold=3, cooldown_seconds=10) for _ in "ab"
    )
    first.record_success(latency_ms=1000)
    second.record_success(latency_ms=2000)

    assert first.status().latency_ms == second.status().latency_ms == 1300
