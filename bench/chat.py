"""Chat latency as a client sees it: time to the first streamed token and to the whole
answer, for the local route and the cloud route, through the OpenAI-compatible API.

The product runs as in production (gunicorn, gthread worker) on a throw-away data folder
with two sample policies; the cloud is llama.cpp's OpenAI-compatible server with the
small model on loopback, started the way the tests start it. The client is the official
`openai` SDK, streaming. The first request of each route warms the models and is not
counted. Prints one JSON object.
    .venv/bin/python bench/chat.py [--runs 3]
"""

import argparse
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_in_temp_dir

POLICIES = {
    "travel.md": """# Travel and expense policy

## Approval thresholds
Trips within the country need approval from the line manager. Trips abroad need approval from the
department director and, above 5,000 EUR, from the CFO as well.

## Per diem
The daily allowance is 60 EUR in Europe and 80 EUR in North America. Receipts are required above 25 EUR.
""",
    "leave.md": """# Leave policy

## Annual leave
Every employee receives 25 days of annual leave per calendar year. Unused days carry over until 31 March.
Requests are approved by the line manager in the HR portal at least two weeks in advance.
""",
}
QUESTIONS = {
    "local": "How many days of annual leave do I get?",
    "local, short context": "What is the daily allowance in Europe?",
    "cloud": "Compare the approval rules for trips abroad and within the country, and explain why the thresholds differ?",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def start_web(port: int, env: dict, log: Path, *, workers: int = 1, threads: int = 4) -> subprocess.Popen:
    from tests.processes import wait_until

    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "kb_assistant.wsgi", "--bind", f"127.0.0.1:{port}",
         "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads), "--timeout", "300"],
        cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_until(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2).status == 200,
        timeout=60,
        what="gunicorn",
        process=process,
    )
    return process


def timed_answer(client, question: str) -> dict:
    started = time.perf_counter()
    first = None
    route, pieces, text = None, 0, ""
    for chunk in client.chat.completions.create(
        model="hybrid-kb", messages=[{"role": "user", "content": question}], stream=True
    ):
        route = route or (chunk.model_extra.get("kb") or {}).get("route")
        if chunk.choices and chunk.choices[0].delta.content:
            pieces += 1
            text += chunk.choices[0].delta.content
            first = first or time.perf_counter()
    ended = time.perf_counter()
    return {
        "route": route,
        "first_token_ms": round(((first or ended) - started) * 1000),
        "total_ms": round((ended - started) * 1000),
        "pieces": pieces,
        "answer_start": text[:60],  # quoted passages or the small model's draft
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    data_dir = django_in_temp_dir()

    import openai

    from router.local_llm import local_llm_path
    from tests.cloud import start_llama_server
    from tests.processes import stop

    cloud_port, web_port = free_port(), free_port()
    env = {
        **os.environ,
        "KB_DATA_DIR": str(data_dir),
        "OPENAI_API_KEY": "sk-bench-not-a-real-key",
        "OPENAI_BASE_URL": f"http://127.0.0.1:{cloud_port}/v1",
        "CLOUD_MODEL": "cloud-test-model",
    }
    manage("seed_demo", env=env)
    for name, text in POLICIES.items():
        (data_dir / name).write_text(text)
    manage("ingest", *(str(data_dir / n) for n in POLICIES), "--groups", "employees", "--sync", env=env)
    token = manage("create_api_token", "alice", env=env).strip()

    processes = [start_llama_server(str(local_llm_path()), cloud_port, data_dir / "llama-server.log")]
    try:
        processes.append(start_web(web_port, env, data_dir / "web.log"))
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{web_port}/v1", api_key=token, timeout=300)
        results = {}
        for expected, question in QUESTIONS.items():
            timed_answer(client, question)  # warm-up: model loads are start-up cost
            runs = [timed_answer(client, question) for _ in range(args.runs)]
            assert all(r["route"] == expected.split(",")[0] for r in runs), runs
            results[expected] = {
                "first_token_ms_median": statistics.median(r["first_token_ms"] for r in runs),
                "total_ms_median": statistics.median(r["total_ms"] for r in runs),
                "runs": runs,
            }
    finally:
        for process in reversed(processes):
            stop(process)
    print(
        json.dumps(
            {
                "benchmark": "chat",
                "transport": "OpenAI-compatible API, streamed, gunicorn gthread, loopback",
                "questions": QUESTIONS,
                "results": results,
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
