"""Chat latency on the local route as a client sees it: time to the first words and to the
whole answer, through the OpenAI-compatible API, over the sample knowledge base, in English
and Chinese (issue 11: first words p95 ≤ 1.0 s, whole answer p95 ≤ 8 s, the first question
after start as fast as the tenth).

The product runs as `make run` runs it: gunicorn with the product's own settings
(kb_assistant/gunicorn_conf.py: each worker warms its models before it accepts requests),
offline, on a throw-away data folder holding the samples; the client is the official
`openai` SDK, streaming. Nothing is warmed by the benchmark itself: the first question is
counted, and reported on its own. Prints one JSON object.
    .venv/bin/python bench/chat.py [--rounds 1]
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_in_temp_dir

QUESTIONS = {
    "en": [
        "How many days of paid annual leave do full-time employees get?",
        "How many unused leave days can be carried over into the next year?",
        "By when must carried-over leave days be taken?",
        "By what time must an ill employee tell their manager?",
        "From which day of sickness is a doctor's certificate required?",
        "How many days of bereavement leave are there for the death of a parent?",
        "What are the core working hours?",
        "How many days per week may employees work remotely?",
        "How is approved overtime compensated?",
        "Who approves international business trips?",
        "How many days before departure must an international trip be requested?",
        "What is the hotel limit per night in London?",
        "Which class of travel is used for flights of up to 6 hours?",
        "How long must passwords be?",
        "After how many failed sign-in attempts is an account locked?",
        "When do VPN sessions end automatically?",
    ],
    "zh": [
        "试用期有多长？",
        "试用期内可以申请年假吗？",
        "新员工入职第一天需要带哪些材料？",
        "学习基金每人每年多少钱？",
        "转正评估在什么时候进行？",
        "试用期满后每周最多可以远程办公几天？",
        "全职员工每年有多少天带薪年假？",
        "未休的年假最多可以结转几天？",
        "员工生病需要在几点之前通知经理？",
        "加班如何补偿？",
        "国际出差由谁审批？",
        "伦敦的酒店每晚住宿限额是多少？",
        "密码至少需要多少个字符？",
        "登录失败几次后账户会被锁定？",
        "VPN 会话多久后自动结束？",
        "核心工作时间是几点到几点？",
    ],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


def start_web(port: int, env: dict, data_dir: Path, *, workers: int) -> tuple[subprocess.Popen, float]:
    """gunicorn as `make run` starts it; returns it and how long until every worker was ready."""
    from tests.processes import wait_until

    started = time.monotonic()
    log = (data_dir / "web.log").open("ab")
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "kb_assistant.wsgi", "-c", "kb_assistant/gunicorn_conf.py",
         "--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", str(workers),
         "--timeout", "300"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    wait_until(
        lambda: len(list((data_dir / "run").glob("web-*.ready"))) >= workers,
        timeout=600,
        what="gunicorn's workers warming",
        process=process,
    )
    return process, time.monotonic() - started


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
        "question": question,
        "route": route,
        "first_words_ms": round(((first or ended) - started) * 1000),
        "total_ms": round((ended - started) * 1000),
        "pieces": pieces,
        "drafted": "In short:" in text or "简要回答：" in text,
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(runs: list[dict]) -> dict:
    first, total = [r["first_words_ms"] for r in runs], [r["total_ms"] for r in runs]
    return {
        "questions": len(runs),
        "first_words_ms": {
            "p50": statistics.median(first),
            "p95": percentile(first, 0.95),
            "max": max(first),
        },
        "total_ms": {"p50": statistics.median(total), "p95": percentile(total, 0.95), "max": max(total)},
        "drafted": sum(r["drafted"] for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=1, help="times each question is asked")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    data_dir = django_in_temp_dir()

    import openai

    from tests.processes import stop

    env = {**os.environ, "KB_DATA_DIR": str(data_dir), "OPENAI_API_KEY": ""}
    manage("seed_demo", env=env)
    manage("load_samples", "--sync", env=env)
    token = manage("create_api_token", "alice", env=env).strip()
    load_before = os.getloadavg()
    port = free_port()
    web, ready_seconds = start_web(port, env, data_dir, workers=args.workers)
    try:
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=token, timeout=300)
        asked = [(lang, q) for _ in range(args.rounds) for lang in QUESTIONS for q in QUESTIONS[lang]]
        runs = [{"language": lang, **timed_answer(client, q)} for lang, q in asked]
    finally:
        stop(web)
    assert all(r["route"] == "local" for r in runs), [r for r in runs if r["route"] != "local"]
    print(
        json.dumps(
            {
                "benchmark": "chat, local route",
                "transport": "OpenAI-compatible API, streamed, gunicorn gthread (product settings), loopback",
                "local_model": Path(os.environ.get("LOCAL_LLM_PATH", "")).name or "LOCAL_LLM_MODEL default",
                "workers_ready_seconds": round(ready_seconds, 1),
                "all": summary(runs),
                "by_language": {
                    lang: summary([r for r in runs if r["language"] == lang]) for lang in QUESTIONS
                },
                "first_question": runs[0],
                "tenth_question": runs[9],
                "runs": runs,
                "load_before": load_before,
                "load_after": os.getloadavg(),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
