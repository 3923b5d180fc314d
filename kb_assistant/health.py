"""`/healthz`: every dependency's state as JSON; 503 when one the product needs is down.

The checks run at once, each in its own thread, and the page answers by a deadline
whatever hangs: a check still running then is reported down as "timed out" and left to end
on its own client's timeout (every client here has one), holding only its thread."""

import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection, connections
from django.http import HttpRequest, JsonResponse

from ingestion.store import index_heartbeat
from kb_assistant.celery import app as celery_app
from router.config import cloud_config
from router.deps import cloud_gate
from router.errors import BackendError
from router.local_llm import local_llm_path

Check = Callable[[], dict]


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "engine": connection.vendor}
    finally:
        connections.close_all()  # this thread's own connection, which nothing else would close


def _redis() -> dict:
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=settings.REDIS_CONNECT_TIMEOUT_SECONDS,
        socket_timeout=settings.REDIS_TIMEOUT_SECONDS,
    )
    client.ping()
    return {"ok": True}


def _worker() -> dict:
    """Alive when one worker answers: the first reply ends the wait, which would otherwise
    last the whole timeout (a broadcast cannot know how many workers there are)."""
    replies = celery_app.control.ping(timeout=1.0, limit=1)
    return {"ok": bool(replies), "workers": [name for reply in replies for name in reply]}


def _chroma() -> dict:
    index_heartbeat()
    return {"ok": True, "mode": "server" if settings.CHROMA_HOST else "embedded"}


def _file(path_factory: Callable) -> Check:
    def check() -> dict:
        path = path_factory()
        return {"ok": path.exists(), "path": str(path)}

    return check


def _embedding_model() -> dict:
    """The configured model's package (and file) are installed (loading it is the worker's job)."""
    from ingestion.embedders import embedder_class, embedder_missing

    model = embedder_class(settings.EMBEDDING_MODEL)
    missing = embedder_missing(settings.EMBEDDING_MODEL)
    return {"ok": not missing, "model": model.model_name, **({"error": missing} if missing else {})}


def _cloud() -> dict:
    gate = cloud_gate(cloud_config())
    if not gate.configured:
        return {"ok": True, "mode": "offline", "detail": "no OPENAI_API_KEY: all answers are local"}
    breaker = gate.breaker.status()
    try:
        models = gate.probe(timeout=settings.HEALTH_DEADLINE_SECONDS)
    except BackendError as exc:
        return {
            "ok": False,
            "mode": "hybrid",
            "reachable": False,
            "error": str(exc),
            "breaker": breaker.state,
        }
    return {"ok": True, "mode": "hybrid", "reachable": True, "models": models[:5], "breaker": breaker.state}


CHECKS: dict[str, Check] = {
    "database": _database,
    "redis": _redis,
    "worker": _worker,
    "chroma": _chroma,
    "embedding_model": _embedding_model,
    "local_llm": _file(local_llm_path),
    "cloud": _cloud,
}


def _run(check: Check) -> dict:
    start = time.perf_counter()
    try:
        result = check()
    except Exception as exc:  # a health page reports failures, it does not raise them
        result = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"}
    result["ms"] = round((time.perf_counter() - start) * 1000, 1)
    return result


def run_checks(checks: dict[str, Check], *, seconds: float) -> dict[str, dict]:
    """Every check at once; one not done within `seconds` is down, "timed out"."""
    done: dict[str, dict] = {}
    threads = [
        threading.Thread(
            target=lambda n=name, c=check: done.__setitem__(n, _run(c)), name=f"healthz-{name}", daemon=True
        )
        for name, check in checks.items()
    ]
    deadline = time.monotonic() + seconds
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    late = {"ok": False, "error": f"timed out after {seconds:g}s", "ms": round(seconds * 1000, 1)}
    return {name: done.get(name, late) for name in checks}


def healthz(request: HttpRequest) -> JsonResponse:
    results = run_checks(CHECKS, seconds=settings.HEALTH_DEADLINE_SECONDS)
    # An unreachable cloud degrades answers to local ones; it does not make the product unhealthy.
    down = [name for name, r in results.items() if not r["ok"]]
    healthy = not [name for name in down if name != "cloud"]
    return JsonResponse({"ok": healthy, "down": down, "checks": results}, status=200 if healthy else 503)
