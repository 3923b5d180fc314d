"""Load: N concurrent users for a bounded time, on loopback, as clients see it.

Half the users are API clients (the official `openai` SDK, streaming, its own retries off
so that every 503 or 429 is counted) and half use the chat page's stream (logged in, CSRF
and all). Each asks local-route questions (bench/chat.py's, English and Chinese) one after
another until the time is up; a refused user waits what Retry-After says, as a real client
would. Reports, per channel and overall: success rate, answered or shed, p50/p95 time to the
first token and to the whole answer, 503s and errors, and the web workers' RSS before and after.

Without --url it starts its own instance, offline (every answer local), in production's
shape: gunicorn gthread workers warmed as `make run` warms them, a Chroma server and Redis,
on a throw-away data folder with the samples.
With --url it drives a running instance (pass --token and --password of that instance).
    .venv/bin/python bench/load.py [--users 8] [--seconds 60] [--questions N] [--workers 2] [--threads N]
    .venv/bin/python bench/load.py --url http://127.0.0.1:8000 --token kb_… --password kb-demo-2026
Prints one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_in_temp_dir
from chat import QUESTIONS as CHAT_QUESTIONS
from chat import free_port, manage, start_web

# A mixed crowd: both languages, one two-part question (quoted, never drafted).
QUESTIONS = (
    *(q for pair in zip(*CHAT_QUESTIONS.values(), strict=True) for q in pair),
    "How many days of annual leave do I get, and how long must passwords be?",
)


@dataclass
class Outcome:
    channel: str  # "api" or "chat"
    status: str  # "answered", "shed" (503 or 429), "error"
    started: float
    first_token_s: float | None = None
    total_s: float = 0.0
    retry_after_s: int = 0
    detail: str = ""


def api_ask(base_url: str, token: str, question: str) -> Outcome:
    import openai

    client = openai.OpenAI(base_url=f"{base_url}/v1", api_key=token, max_retries=0, timeout=300)
    outcome = Outcome("api", "answered", time.monotonic())
    try:
        for chunk in client.chat.completions.create(
            model="hybrid-kb", messages=[{"role": "user", "content": question}], stream=True
        ):
            if chunk.choices and chunk.choices[0].delta.content and outcome.first_token_s is None:
                outcome.first_token_s = time.monotonic() - outcome.started
    except openai.APIStatusError as error:
        if error.status_code in (429, 503):
            outcome.status = "shed"
            outcome.retry_after_s = int(error.response.headers.get("retry-after", "1"))
        else:
            outcome.status, outcome.detail = "error", f"{error.status_code}: {error.message}"
    except openai.APIError as error:
        outcome.status, outcome.detail = "error", f"{error.__class__.__name__}: {error}"
    if outcome.status == "answered" and outcome.first_token_s is None:
        outcome.status, outcome.detail = "error", "no answer text"
    outcome.total_s = time.monotonic() - outcome.started
    return outcome


class ChatPageUser:
    """One browser's worth of the chat page: a session, a conversation, the ask stream."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=300, follow_redirects=True)
        self.http.get("/login/")
        self.http.post(
            "/login/",
            data={"username": username, "password": password},
            headers={"X-CSRFToken": self.http.cookies["csrftoken"]},
        ).raise_for_status()
        conversation = self.http.post("/chat/new/", headers={"X-CSRFToken": self.http.cookies["csrftoken"]})
        conversation.raise_for_status()
        self.ask_url = f"{conversation.url.path}ask/"

    def ask(self, question: str) -> Outcome:
        outcome = Outcome("chat", "answered", time.monotonic())
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"]}
        try:
            with self.http.stream(
                "POST", self.ask_url, data={"question": question}, headers=headers
            ) as response:
                if response.status_code == 503:  # shed by the web tier: nothing was saved
                    outcome.status = "shed"
                    outcome.retry_after_s = int(response.headers.get("Retry-After", "1"))
                    outcome.total_s = time.monotonic() - outcome.started
                    return outcome
                response.raise_for_status()
                for event, data in _sse(response.iter_lines()):
                    if event == "delta" and outcome.first_token_s is None:
                        outcome.first_token_s = time.monotonic() - outcome.started
                    elif event == "error":
                        outcome.status, outcome.detail = "error", json.loads(data)["message"]
        except httpx.HTTPError as error:
            outcome.status, outcome.detail = "error", f"{error.__class__.__name__}: {error}"
        outcome.total_s = time.monotonic() - outcome.started
        return outcome


def _sse(lines):
    event = "message"
    for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            yield event, line[6:]
            event = "message"


def user_loop(number: int, args, token: str, until: float, outcomes: list[Outcome]) -> None:
    channel = "api" if number % 2 == 0 else "chat"
    page = ChatPageUser(args.url, args.username, args.password) if channel == "chat" else None
    asked = 0
    while time.monotonic() < until and not (args.questions and asked == args.questions):
        question = QUESTIONS[(number + asked) % len(QUESTIONS)]
        asked += 1
        outcome = page.ask(question) if page else api_ask(args.url, token, question)
        outcomes.append(outcome)
        if outcome.status == "shed":
            time.sleep(max(0.0, min(outcome.retry_after_s, until - time.monotonic())))


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return round(values[0] * 1000)
    return round(statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000)


def summary(outcomes: list[Outcome]) -> dict:
    answered = [o for o in outcomes if o.status == "answered"]
    shed = [o for o in outcomes if o.status == "shed"]
    errors = [o for o in outcomes if o.status == "error"]
    first = [o.first_token_s for o in answered if o.first_token_s is not None]
    total = [o.total_s for o in answered]
    return {
        "requests": len(outcomes),
        "answered": len(answered),
        "shed_503_or_busy": len(shed),
        "errors": len(errors),
        "success_rate": round(len(answered) / len(outcomes), 3) if outcomes else None,
        "answered_or_shed_rate": round((len(answered) + len(shed)) / len(outcomes), 3) if outcomes else None,
        "first_token_ms": {"p50": percentile(first, 50), "p95": percentile(first, 95)},
        "answer_ms": {"p50": percentile(total, 50), "p95": percentile(total, 95)},
        "shed_ms": {
            "p50": percentile([o.total_s for o in shed], 50),
            "p95": percentile([o.total_s for o in shed], 95),
        },
        "error_samples": sorted({o.detail for o in errors})[:5],
    }


def worker_rss_mb(master_pid: int | None) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children)."""
    import psutil

    if master_pid is None:
        return []
    return [round(p.memory_info().rss / 2**20, 1) for p in psutil.Process(master_pid).children()]


def own_instance(args) -> tuple[list, str, int]:
    """Start the product offline on a throw-away data folder; returns (processes, token, master pid)."""
    from tests.processes import start_chroma, start_redis

    data_dir = django_in_temp_dir(embedded_chroma=False)
    redis_port, chroma_port, web_port = free_port(), free_port(), free_port()
    processes = [start_redis(redis_port, data_dir / "redis"), start_chroma(chroma_port, data_dir / "chroma")]
    env = {
        **os.environ,
        "KB_DATA_DIR": str(data_dir),
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "CHROMA_HOST": "127.0.0.1",
        "CHROMA_PORT": str(chroma_port),
    }
    env.pop("OPENAI_API_KEY", None)  # offline: every answer local, as in issue 13's run
    if args.threads:
        env["WEB_THREADS"] = str(args.threads)
    manage("seed_demo", env=env)
    manage("load_samples", "--sync", env=env)
    token = manage("create_api_token", args.username, env=env).strip()
    web, _ready_seconds = start_web(web_port, env, data_dir, workers=args.workers)
    args.url = f"http://127.0.0.1:{web_port}"
    return [*processes, web], token, web.pid


def queue_settings() -> dict:
    from django.conf import settings

    return {
        "waiting": settings.LOCAL_LLM_QUEUE,
        "wait_seconds": settings.LOCAL_LLM_QUEUE_WAIT_SECONDS,
        "answers_in_flight": settings.WEB_ANSWERS_IN_FLIGHT,
    }


def web_threads() -> int:
    from django.conf import settings

    return settings.WEB_THREADS


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument(
        "--questions", type=int, default=0, help="each user stops after this many requests (0: at --seconds)"
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers of the instance started here"
    )
    parser.add_argument(
        "--threads", type=int, help="WEB_THREADS of the instance started here (default: the product's)"
    )
    parser.add_argument("--url", help="a running instance instead of one started here")
    parser.add_argument("--token", help="an API token of --username on the running instance")
    parser.add_argument("--username", default="alice")
    parser.add_argument("--password", default="kb-demo-2026")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))  # tests.processes starts and stops the services
    from tests.processes import stop

    processes, master_pid = [], None
    if args.url:
        token = args.token or parser.error("--url needs --token")
    else:
        processes, token, master_pid = own_instance(args)
    try:
        rss_before, load_before = worker_rss_mb(master_pid), os.getloadavg()
        outcomes: list[Outcome] = []
        started = time.monotonic()
        until = started + args.seconds
        users = [
            threading.Thread(target=user_loop, args=(n, args, token, until, outcomes))
            for n in range(args.users)
        ]
        for user in users:
            user.start()
        for user in users:
            user.join()
        wall_seconds = time.monotonic() - started
        rss_after, load_after = worker_rss_mb(master_pid), os.getloadavg()
    finally:
        for process in reversed(processes):
            stop(process)
    print(
        json.dumps(
            {
                "benchmark": "load",
                "users": args.users,
                "seconds": args.seconds,
                "questions_per_user": args.questions or None,
                "wall_seconds": round(wall_seconds, 1),
                "instance": args.url
                if not processes
                else f"started here: gunicorn gthread {args.workers}×{args.threads or web_threads()}, offline",
                "queue_per_worker": queue_settings() if processes else "as set on that instance",
                "overall": summary(outcomes),
                "api": summary([o for o in outcomes if o.channel == "api"]),
                "chat_page": summary([o for o in outcomes if o.channel == "chat"]),
                "worker_rss_mb": {"before": rss_before, "after": rss_after},
                "load_average": {
                    "before": [round(x, 2) for x in load_before],
                    "after": [round(x, 2) for x in load_after],
                },
                "cores": os.cpu_count(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
