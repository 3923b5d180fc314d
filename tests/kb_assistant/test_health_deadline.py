"""`/healthz` answers within 2 s whatever hangs, naming what is down: real Chroma and Redis
servers stopped with SIGSTOP (their ports still accept connections, nothing answers)."""

import time

import pytest

from tests.faults import chroma_deadlines, hung

pytestmark = pytest.mark.django_db


def timed_health(client) -> tuple[int, dict, float]:
    started = time.monotonic()
    response = client.get("/healthz")
    return response.status_code, response.json(), time.monotonic() - started


def test_healthz_answers_in_time_and_names_a_hung_chroma(client, services, settings):
    with chroma_deadlines(settings, seconds=10.0), hung(services["chroma"]):
        status, body, seconds = timed_health(client)

    assert seconds < 2.0
    assert status == 503 and "chroma" in body["down"]
    assert body["checks"]["chroma"] == {"ok": False, "error": "timed out after 1.5s", "ms": 1500.0}
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]


def test_healthz_answers_in_time_and_names_a_hung_redis(client, services):
    with hung(services["redis"]):
        status, body, seconds = timed_health(client)

    assert seconds < 2.0
    assert status == 503 and "redis" in body["down"]
    assert body["checks"]["chroma"]["ok"] and body["checks"]["database"]["ok"]
