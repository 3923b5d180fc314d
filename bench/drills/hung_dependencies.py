"""Drill for issue 13, findings 1, 2 and 5: what a hung dependency costs, with the product's
default deadlines, against real processes: a Redis and a Chroma server (started here), a
Chroma stopped with SIGSTOP, and an OpenAI-compatible server on loopback that hangs or ends
its stream without a finish reason, reached through the real `openai` SDK. Prints JSON.
    .venv/bin/python bench/drills/hung_dependencies.py
"""

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
from _setup import django_in_temp_dir

from tests import early_env, processes  # early_env: own Redis and Chroma ports, as in the tests

QUESTION = "Compare the approval rules for trips abroad and within the country, and explain why the thresholds differ?"
TRAVEL = """# Travel and expense policy

## Approval thresholds
Trips within the country need approval from the line manager. Trips abroad need approval from the
department director and, above 5,000 EUR, from the CFO as well.
"""


def main() -> None:
    data = Path(early_env.DATA_DIR)
    redis = processes.start_redis(early_env.REDIS_PORT, data / "redis")
    chroma = processes.start_chroma(early_env.CHROMA_PORT, data / "chroma")
    try:
        print(json.dumps(drill(chroma), indent=2))
    finally:
        processes.stop(chroma)
        processes.stop(redis)


def drill(chroma) -> dict:
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.test import Client

    from ingestion.pipeline import ingest_document
    from ingestion.services import document_submit
    from router.config import cloud_config
    from router.deps import cloud_gate
    from router.events import Delta, Done, Notice
    from router.pipeline import AskRequest, run
    from router.warm import warm_local_models
    from tests.faults import hung
    from tests.misbehaving_cloud import MisbehavingCloud

    user = User.objects.create_user("alice")
    result = document_submit(
        filename="travel.md", data=TRAVEL.encode(), uploaded_by=None, groups=[],
        sensitivity="internal", max_bytes=10**6, enqueue=False,
    )  # fmt: skip
    ingest_document(result.document.pk)
    warm_local_models()

    def ask() -> dict:
        started, first = time.monotonic(), None
        for event in run(AskRequest(question=QUESTION, user=user)):
            if isinstance(event, Delta | Notice) and first is None:
                first = time.monotonic() - started
            if isinstance(event, Done):
                trace = event.trace
        total = time.monotonic() - started
        codes = [str(c) for c in trace.reason_codes]
        return {"route": trace.route, "first_text_s": round(first or total, 2), "total_s": round(total, 2),
                "error": (trace.error or "")[:80], "reason_codes": codes}  # fmt: skip

    figures: dict = {"defaults": {
        "CHROMA_TIMEOUT_SECONDS": settings.CHROMA_TIMEOUT_SECONDS, "CLOUD_TIMEOUT_SECONDS": settings.CLOUD_TIMEOUT_SECONDS,
        "CLOUD_MAX_RETRIES": settings.CLOUD_MAX_RETRIES, "ROUTER_LATENCY_BUDGET_MS": settings.ROUTER_LATENCY_BUDGET_MS,
        "HEALTH_DEADLINE_SECONDS": settings.HEALTH_DEADLINE_SECONDS}}  # fmt: skip
    with hung(chroma):
        figures["chroma_hung_question"] = ask()
        started = time.monotonic()
        health = Client().get("/healthz", HTTP_HOST="localhost")
        figures["chroma_hung_healthz"] = {
            "seconds": round(time.monotonic() - started, 2), "status": health.status_code, "down": health.json()["down"]
        }  # fmt: skip
    time.sleep(1)
    figures["chroma_resumed_question"] = ask()

    cloud = MisbehavingCloud()
    settings.OPENAI_API_KEY, settings.OPENAI_BASE_URL, settings.CLOUD_MODEL = (
        "sk-drill",
        cloud.base_url,
        "drill",
    )
    cloud_gate(cloud_config()).reset()
    cloud.reset("hang")
    users: list[dict] = []
    threads = [threading.Thread(target=lambda: users.append(ask())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    figures["cloud_hung_4_concurrent_users"] = sorted(users, key=lambda u: u["total_s"])
    figures["cloud_hung_cloud_requests"] = len(cloud.arrivals)
    figures["cloud_hung_next_user"] = ask()
    cloud_gate(cloud_config()).reset()
    cloud.reset("no_done")
    figures["cloud_stream_without_end"] = ask()
    cloud.close()
    return figures


if __name__ == "__main__":
    django_in_temp_dir(embedded_chroma=False)
    main()
