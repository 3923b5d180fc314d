"""`/healthz`: every dependency's state as JSON; 503 when one the product needs is down."""

import time
from collections.abc import Callable

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse

from ingestion.embed import embedding_model_path
from ingestion.store import index_heartbeat
from kb_assistant.celery import app as celery_app
from router.local_llm import local_llm_path

Check = Callable[[], dict]


def _database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True, "engine": connection.vendor}


def _redis() -> dict:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    client.ping()
    return {"ok": True}


def _worker() -> dict:
    replies = celery_app.control.ping(timeout=1.0)
    return {"ok": bool(replies), "workers": [name for reply in replies for name in reply]}


def _chroma() -> dict:
    index_heartbeat()
    return {"ok": True, "mode": "server" if settings.CHROMA_HOST else "embedded"}


def _file(path_factory: Callable) -> Check:
    def check() -> dict:
        path = path_factory()
        return {"ok": path.exists(), "path": str(path)}

    return check


def _cloud() -> dict:
    if not settings.OPENAI_API_KEY:
        return {"ok": True, "mode": "offline", "detail": "no OPENAI_API_KEY: all answers are local"}
    from router.cloud import cloud_probe

    return {"ok": True, "mode": "cloud", **cloud_probe()}


CHECKS: dict[str, Check] = {
    "database": _database,
    "redis": _redis,
    "worker": _worker,
    "chroma": _chroma,
    "embedding_model": _file(embedding_model_path),
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


def healthz(request: HttpRequest) -> JsonResponse:
    results = {name: _run(check) for name, check in CHECKS.items()}
    healthy = all(r["ok"] for r in results.values())
    return JsonResponse({"ok": healthy, "checks": results}, status=200 if healthy else 503)
