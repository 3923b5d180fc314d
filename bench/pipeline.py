"""Latency of the local stages of a real request (intent, retrieve, condense, protect, route)
with at least 10,000 chunks in the index, and cloud tokens against plain RAG.

Builds the index from the 18F handbook (shared/corpus) copied into enough editions, plus
the company samples, then asks the bench questions as an employee in offline mode.
    .venv/bin/python bench/pipeline.py [--min-chunks 10000] [--rounds 3]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_dir, ingest_handbook_edition

LOCAL_STAGES = ("resolve", "intent", "retrieve", "condense", "protect", "route")
QUESTIONS = [
    "How many days of annual leave do I get?",
    "Who approves a trip abroad?",
    "How do I connect to the VPN from home?",
    "What are the password requirements?",
    "What happens if I report a security incident late?",
    "Compare the approval rules for domestic and international travel and explain the difference.",
    "What is the per diem for a trip to the US?",
    "年假有多少天？",
    "报销需要哪些发票？",
    "How do I get a new laptop?",
    "Can I work a compressed schedule?",
    "What should I do on my first day?",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))], 1)


def build_index(min_chunks: int) -> int:
    from django.core.management import call_command

    from ingestion.store import index_count

    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("load_samples", sync=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    edition = 0
    while index_count() < min_chunks:
        edition += 1
        ingest_handbook_edition(edition)
    return index_count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min-chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    django_in_temp_dir()
    from django.contrib.auth import get_user_model

    from router.pipeline import AskRequest, ask

    started = time.perf_counter()
    chunks = build_index(args.min_chunks)
    build_seconds = time.perf_counter() - started
    user = get_user_model().objects.get(username="alice")
    ask(AskRequest(question="warm-up", user=user))  # loads the models once
    local_ms, by_stage, saved = [], {s: [] for s in LOCAL_STAGES}, []
    for _ in range(args.rounds):
        for question in QUESTIONS:
            trace, _ = ask(AskRequest(question=question, user=user))
            latency = trace.latency_ms
            local_ms.append(sum(latency.get(s, 0.0) for s in LOCAL_STAGES))
            for stage in LOCAL_STAGES:
                by_stage[stage].append(latency.get(stage, 0.0))
            if trace.tokens.plain_rag_in:
                saved.append(trace.tokens.condensed_context / trace.tokens.plain_rag_in)
    print(
        json.dumps(
            {
                "benchmark": "pipeline_local_stages",
                "chunks_in_index": chunks,
                "index_build_seconds": round(build_seconds, 1),
                "requests": len(local_ms),
                "local_stages_ms": {"p50": percentile(local_ms, 0.5), "p95": percentile(local_ms, 0.95)},
                "by_stage_p95_ms": {s: percentile(v, 0.95) for s, v in by_stage.items()},
                "condensed_over_plain_rag_tokens": round(statistics.mean(saved), 3) if saved else None,
            }
        )
    )


if __name__ == "__main__":
    main()
