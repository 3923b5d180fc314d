"""Shared fixtures: the real services, and personas that make permission tests read as stories.

alice   — employee in HR          bob     — colleague in finance
kim     — KB admin                audrey  — auditor
oscar   — outsider (logged in, in no group)
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User

from kb_assistant.accounts.roles import AUDITORS, DEMO_GROUPS, EMPLOYEES, KB_ADMINS
from kb_assistant.celery import app as celery_app
from tests import early_env, processes

PASSWORD = "correct-horse-battery"


def pytest_report_header(config) -> str:
    """Which database this run is on: scripts/test.sh runs a part of the suite on PostgreSQL."""
    return f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"


@pytest.fixture(scope="session", autouse=True)
def services():
    """Redis and a Chroma server on this run's own ports, for the whole session."""
    data = Path(early_env.DATA_DIR)
    running = {
        "redis": processes.start_redis(early_env.REDIS_PORT, data / "redis"),
        "chroma": processes.start_chroma(early_env.CHROMA_PORT, data / "chroma"),
    }
    yield running
    for process in running.values():
        processes.stop(process)


def _outage(services: dict, name: str, start):
    """Stop one service for a `with` block, then start it again on the same port and data."""

    @contextmanager
    def outage():
        processes.stop(services[name])
        try:
            yield
        finally:
            services[name] = start()

    return outage


@pytest.fixture
def redis_outage(services):
    return _outage(
        services,
        "redis",
        lambda: processes.start_redis(early_env.REDIS_PORT, Path(early_env.DATA_DIR) / "redis"),
    )


@pytest.fixture
def chroma_outage(services):
    return _outage(
        services,
        "chroma",
        lambda: processes.start_chroma(early_env.CHROMA_PORT, Path(early_env.DATA_DIR) / "chroma"),
    )


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker subprocess on the session's Redis and the test database."""
    database = processes.database_url(settings.DATABASES["default"])
    env = {**os.environ, "DATABASE_URL": database, "KB_STALE_TASK_MINUTES": "1"}
    process = processes.start_worker(env, Path(early_env.DATA_DIR) / "worker.log")
    processes.wait_until(
        lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=90, what="celery worker", process=process
    )
    yield process
    processes.stop(process)


@pytest.fixture
def empty_index():
    from ingestion.store import index_reset

    index_reset()
    yield
    index_reset()


def _person(username: str, *groups: str, **extra) -> User:
    for name in DEMO_GROUPS:
        Group.objects.get_or_create(name=name)
    user = User.objects.create_user(username=username, password=PASSWORD, **extra)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user


@pytest.fixture
def alice(db) -> User:
    return _person("alice", EMPLOYEES, "hr", first_name="Alice", last_name="Martin")


@pytest.fixture
def bob(db) -> User:
    return _person("bob", EMPLOYEES, "finance", first_name="Bob", last_name="Chen")


@pytest.fixture
def kim(db) -> User:
    return _person("kim", EMPLOYEES, KB_ADMINS, first_name="Kim", last_name="Larsen")


@pytest.fixture
def audrey(db) -> User:
    return _person("audrey", AUDITORS, first_name="Audrey", last_name="Okafor")


@pytest.fixture
def oscar(db) -> User:
    return _person("oscar")


def group(name: str) -> Group:
    return Group.objects.get_or_create(name=name)[0]


@pytest.fixture(scope="session")
def llama_server():
    """The stand-in for the cloud: a real OpenAI-compatible server with the small model."""
    from router.local_llm import local_llm_path
    from tests.cloud import start_llama_server

    port = early_env._free_port()
    process = start_llama_server(str(local_llm_path()), port, Path(early_env.DATA_DIR) / "llama-server.log")
    yield port
    processes.stop(process)


@pytest.fixture(scope="session")
def recording_cloud(llama_server):
    from tests.cloud import RecordingCloud

    cloud = RecordingCloud(llama_server)
    yield cloud
    cloud.close()


class FakeClock:
    """Time that moves only when a test moves it."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def cloud(recording_cloud, settings):
    """Hybrid mode for one test: the product's cloud is the recording proxy on loopback.
    The pipeline's dependencies follow the settings; only the breaker's shared state in
    Redis outlives a test, so it is cleared before and after."""
    from router.config import cloud_config
    from router.deps import cloud_gate

    settings.OPENAI_API_KEY = "sk-test-not-a-real-key"
    settings.OPENAI_BASE_URL = recording_cloud.base_url
    settings.CLOUD_MODEL = "cloud-test-model"
    settings.CLOUD_TIMEOUT_SECONDS = 20
    settings.CLOUD_MAX_RETRIES = 1
    settings.ROUTER_ANSWER_MAX_TOKENS = 48  # the small stand-in model writes slowly on two cores
    settings.ROUTER_LATENCY_BUDGET_MS = 60_000  # an answer of the stand-in on a busy machine fits
    recording_cloud.reset()
    cloud_gate(cloud_config()).reset()
    yield recording_cloud
    cloud_gate(cloud_config()).reset()
