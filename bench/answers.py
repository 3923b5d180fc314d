"""Answer quality end to end (issue 11, item 4): plain RAG, the product's condensed payload and
the local route, on the same questions, with a competent reader playing the cloud.

The cloud is `python -m llama_cpp.server` with Qwen2.5-Coder-1.5B-Instruct on loopback,
reached by the product's own cloud client (the `openai` SDK behind the cloud gate). The
paragraphs of ../shared/eval/xquad_dev (English, Chinese) and ../shared/eval/cmrc_trial are
ingested by the product's pipeline into a throw-away index, each set readable by its own
group (bench/condense_index.py). For each sampled question:
  plain_rag  the top 5 retrieved chunks, whole, under the product's system prompt
             (router.prompts.plain_rag_messages), sent through the same gate with the same
             max_tokens and temperature (router.generate.cloud_answer);
  condensed  the real pipeline in hybrid mode with the complexity threshold at 0, so that
             every question with evidence goes to the cloud: what it sends is exactly the
             product's condensed, de-identified payload, and the answer is what a user gets;
  local      the real pipeline in offline mode, the local answer as a user gets it.
Scores: bench/answer_scores.py. Cloud tokens are the server's own counts. Each question's
record (every answer, payload, score, local outcome and relevance) goes to --records as one
JSON line; bench/answer_routing.py estimates quality routing from that file. Questions are
asked round-robin across the sets, so a run stopped early (--minutes) still covers each set
alike, and --from-records summarises a saved file. Prints one JSON object; progress goes to stderr.
    .venv/bin/python bench/answers.py [--per-set 150] [--sets xquad-en,xquad-zh,cmrc]
        [--cloud-model PATH] [--threads 2] [--max-tokens N] [--minutes M] [--records OUT.jsonl]
        [--seed 0] [--from-records IN.jsonl]
"""

import argparse
import json
import os
import platform
import signal
import statistics
import sys
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import replace
from itertools import zip_longest
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_in_temp_dir
from answer_routing import read_records
from answer_routing import report as routing_report
from answer_scores import score
from chat import free_port
from condense_index import SETS, TOP_K, has_gold, ingest_set, load_set, reader, sampled

T = TypeVar("T")
CLOUD_MODEL_FILE = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
CLOUD_ALIAS = "cloud-reader"
MODES = ("plain_rag", "condensed", "local")
TARGETS = {"f1_ratio": 0.97, "token_ratio": 8}
# A 1.5B reader on two busy cores takes tens of seconds over plain RAG's long prompt: the
# product's timeouts and budgets, meant for a real cloud, must not cut it short here.
BENCH_ENV = {
    "CLOUD_TIMEOUT_SECONDS": "600",
    "CLOUD_MAX_RETRIES": "0",
    "ROUTER_LATENCY_BUDGET_MS": "3600000",
    "ROUTER_DAILY_CLOUD_BUDGET_USD": "1000",
}


def installed_cloud_model() -> Path:
    """Where `manage.py install_local_model qwen2.5-coder-1.5b` puts the model."""
    return Path(os.environ.get("KB_DATA_DIR") or ROOT / "var") / "models" / CLOUD_MODEL_FILE


def lang_of(name: str) -> str:
    return "en" if name == "xquad-en" else "zh"


def start_services(cloud_model: Path, *, threads: int, context: int, max_tokens: int | None) -> list:
    """Settings for hybrid mode against the loopback reader, a throw-away data folder with its
    own Redis (the breaker's state), and the reader itself. Returns the processes."""
    redis_port, reader_port = free_port(), free_port()
    os.environ.update(BENCH_ENV)
    if max_tokens:  # the same for plain RAG and the condensed payload: both read the setting
        os.environ["ROUTER_ANSWER_MAX_TOKENS"] = str(max_tokens)
    os.environ.update(
        {
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            "OPENAI_API_KEY": "sk-bench-not-a-real-key",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{reader_port}/v1",
            "CLOUD_MODEL": CLOUD_ALIAS,
            "HF_HUB_OFFLINE": "1",
        }
    )
    data_dir = django_in_temp_dir()
    from tests.cloud import start_llama_server
    from tests.processes import start_redis, stop

    redis = start_redis(redis_port, data_dir / "redis")
    log(f"starting the reader {cloud_model.name} ({threads} threads, context {context})")
    try:
        reader_process = start_llama_server(
            str(cloud_model),
            reader_port,
            data_dir / "reader.log",
            alias=CLOUD_ALIAS,
            threads=threads,
            context=context,
        )
    except Exception:
        stop(redis)
        raise
    return [redis, reader_process]


def log(message: str) -> None:
    print(f"[answers {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def drained(pieces: Generator[str, None, T]) -> tuple[str, T]:
    """A streamed answer read to its end: its text, and what the writer returned."""
    text: list[str] = []
    while True:
        try:
            text.append(next(pieces))
        except StopIteration as finished:
            return "".join(text), finished.value


def plain_rag(question: str, user, deps, config) -> dict:
    """The top 5 chunks, whole, to the cloud, as the product would send them without condensing."""
    from router.answers import no_context_answer
    from router.errors import BackendError
    from router.generate import cloud_answer
    from router.prompts import flatten, plain_rag_messages
    from router.retrieve import retrieve

    started = time.perf_counter()
    vector = deps.embedder.embed([question], kind="query")[0]
    passages = retrieve(
        question=question, question_vector=vector, user=user, index=deps.index, limit=TOP_K
    ).passages
    out = {"chunks": len(passages), "top_relevance": max((p.relevance for p in passages), default=None)}
    if not passages:  # the relevance rule found nothing: no call, as for the product
        return out | {
            "answer": no_context_answer(question),
            "cloud_calls": 0,
            "cloud_in": 0,
            "cloud_out": 0,
            "seconds": 0.0,
        }
    messages = plain_rag_messages(question, passages)
    try:
        answer, usage = drained(cloud_answer(gate=deps.cloud, messages=messages, config=config))
        tokens: dict[str, object] = {"cloud_in": usage.prompt_tokens, "cloud_out": usage.completion_tokens}
    except BackendError as exc:
        answer, tokens = "", {"cloud_in": 0, "cloud_out": 0, "error": str(exc)}
    return (
        out
        | tokens
        | {
            "answer": answer,
            "cloud_calls": 1,
            "payload_text": flatten(messages),
            "seconds": round(time.perf_counter() - started, 2),
        }
    )


def through_pipeline(question: str, user, deps, config) -> dict:
    """The product's own request, as a user gets it, with what it sent and how it answered."""
    from router.pipeline import AskRequest, ask
    from router.prompts import flatten

    started = time.perf_counter()
    trace, _ = ask(AskRequest(question=question, user=user, channel="cli"), deps=deps, config=config)
    seconds = time.perf_counter() - started
    generated = next((s for s in trace.stages if s.name == "generate" and s.where == "local"), None)
    routed = next((s for s in trace.stages if s.name == "route"), None)
    return {
        "answer": trace.answer,
        "route": trace.route,
        "reason_codes": [str(code) for code in trace.reason_codes],
        "cloud_calls": int(trace.cloud_payload is not None),
        "cloud_in": trace.tokens.cloud_in,
        "cloud_out": trace.tokens.cloud_out,
        "payload": trace.cloud_payload,
        "payload_text": flatten(trace.cloud_payload or []),
        "context_text": trace.local_context,  # condensed, before de-identification
        "how": generated.detail.get("how") if generated else None,
        "local_detail": generated.detail if generated else None,
        "complexity": routed.detail.get("complexity") if routed else None,
        "complexity_threshold": config.complexity_threshold,
        "retrieved_scores": [chunk.score for chunk in trace.retrieved],
        "models": trace.models,
        "error": trace.error,
        "seconds": round(seconds, 2),
    }


def answer_all(name: str, item: tuple[str, str, list[str]], user, runs: dict) -> dict:
    """One question in the three modes, scored."""
    _, question, golds = item
    modes = {
        "plain_rag": plain_rag(question, user, runs["deps"], runs["config"]),
        "condensed": through_pipeline(question, user, runs["deps"], runs["cloud_config"]),
        "local": through_pipeline(question, user, runs["offline"], runs["config"]),
    }
    lang = lang_of(name)
    for mode in modes.values():
        mode["score"] = score(mode["answer"], golds, lang).__dict__
        if "payload_text" in mode:
            mode["gold_in_payload"] = has_gold(mode.pop("payload_text"), golds)
        if "context_text" in mode:  # what condensing kept, and protect then hid or not
            mode["gold_in_context"] = has_gold(mode.pop("context_text"), golds)
    top = modes["plain_rag"].pop("top_relevance")
    return {"set": name, "lang": lang, "question": question, "answers": golds, "top_relevance": top} | {
        "modes": modes
    }


def pipelines() -> dict:
    """The product's dependencies in hybrid mode, the same offline, and the two configs: the
    product's own, and one that sends every question with evidence to the cloud."""
    from router.config import cloud_config, router_config
    from router.deps import cloud_gate, pipeline_deps

    deps, config = pipeline_deps(), router_config()
    offline = replace(deps, cloud=cloud_gate(replace(cloud_config(), api_key="")))
    return {
        "deps": deps,
        "offline": offline,
        "config": config,
        "cloud_config": replace(config, complexity_threshold=0.0),
    }


def round_robin(questions: dict[str, list]) -> Iterator[tuple[str, int, tuple]]:
    """(set, number, question): the first of each set, then the second of each, …"""
    numbered = [list(enumerate(items, 1)) for items in questions.values()]
    for row in zip_longest(*numbered):
        for name, entry in zip(questions, row, strict=True):
            if entry is not None:
                yield name, *entry


def run(names: Sequence[str], per_set: int, seed: int, records: Path, *, stop_at: float) -> None:
    """Ingest the sets, then ask round-robin until every question is answered or `stop_at`
    (a time.monotonic() value) has passed: what was answered by then is balanced across sets."""
    from router.warm import warm_local_models

    questions, users = {}, {}
    for name in names:
        passages, _ = load_set(name)
        started = time.perf_counter()
        chunks = ingest_set(name, passages)
        log(f"{name}: {len(passages)} paragraphs, {chunks} chunks in {time.perf_counter() - started:.0f}s")
        questions[name], users[name] = sampled(name, per_set, seed)[1], reader(name)
    warm_local_models()
    runs = pipelines()
    with records.open("w", encoding="utf-8") as out:
        for name, number, item in round_robin(questions):
            if time.monotonic() > stop_at:
                log(f"out of time: stopped before {name} {number}")
                return
            record = answer_all(name, item, users[name], runs)
            out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            out.flush()
            figures = "  ".join(
                f"{m} f1 {record['modes'][m]['score']['f1']:.2f} {record['modes'][m].get('seconds', 0):.0f}s"
                for m in MODES
            )
            log(f"{name} {number}/{len(questions[name])}: {figures}")


def summary(records: Sequence[dict]) -> dict:
    """Per set: each mode's scores, cloud tokens and time, and the two ratios of the issue."""
    out = {}
    for name in sorted({r["set"] for r in records}, key=SETS.index):
        rows = [r for r in records if r["set"] == name]
        modes = {mode: _mode_figures([r["modes"][mode] for r in rows]) for mode in MODES}
        plain, condensed = modes["plain_rag"], modes["condensed"]
        f1_ratio = _ratio(condensed["f1"], plain["f1"])
        token_ratio = _ratio(plain["cloud_in_per_call"], condensed["cloud_in_per_call"])
        out[name] = {
            "questions": len(rows),
            "modes": modes,
            "f1_ratio": f1_ratio,
            "contained_ratio": _ratio(condensed["contained"], plain["contained"]),
            "token_ratio": token_ratio,
            "meets_targets": (f1_ratio or 0) >= TARGETS["f1_ratio"]
            and (token_ratio or 0) >= TARGETS["token_ratio"],
        }
    return out


def _mode_figures(runs: list[dict]) -> dict:
    calls = [r for r in runs if r["cloud_calls"]]
    seconds = [r["seconds"] for r in runs]
    figures = {
        "f1": _mean(r["score"]["f1"] for r in runs),
        "exact": _mean(r["score"]["exact"] for r in runs),
        "contained": _mean(r["score"]["contained"] for r in runs),
        "cloud_calls": len(calls),
        "cloud_in_per_call": _mean(r["cloud_in"] for r in calls),
        "cloud_out_per_call": _mean(r["cloud_out"] for r in calls),
        "errors": sum(bool(r.get("error")) for r in runs),
        "seconds_mean": _mean(seconds),
        "seconds_p50": round(statistics.median(seconds), 2) if seconds else None,
    }
    if calls:
        figures["gold_in_payload"] = _mean(r["gold_in_payload"] for r in calls)
    if calls and "gold_in_context" in calls[0]:
        figures["gold_in_context_before_protect"] = _mean(r["gold_in_context"] for r in calls)
    return figures


def _mean(values) -> float:
    listed = [float(v) for v in values]
    return round(statistics.fmean(listed), 4) if listed else 0.0


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def report(records: Sequence[dict], *, meta: dict) -> dict:
    local_how = {r["modes"]["local"]["how"] for r in records}
    return {
        "benchmark": "answers",
        **meta,
        "targets": TARGETS,
        "local_outcomes_seen": sorted(h for h in local_how if h),
        "sets": summary(records),
        "quality_routing": routing_report(records),
        "quality_routing_reasoning_to_cloud": routing_report(records, reasoning_to_cloud=True)["all"],
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-set", type=int, default=150, help="questions sampled per set")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cloud-model", type=Path, default=None, help="GGUF of the reader playing the cloud")
    parser.add_argument("--threads", type=int, default=2, help="the reader's threads")
    parser.add_argument("--context", type=int, default=8192, help="the reader's context, in tokens")
    parser.add_argument(
        "--max-tokens", type=int, default=None, help="answer length (default: ROUTER_ANSWER_MAX_TOKENS)"
    )
    parser.add_argument(
        "--records", type=Path, default=None, help="per-question JSONL (default: in the data folder)"
    )
    parser.add_argument(
        "--minutes", type=float, default=None, help="ask no new question this many minutes after start-up"
    )
    parser.add_argument("--from-records", type=Path, default=None, help="only summarise this JSONL")
    args = parser.parse_args()
    if args.from_records:
        records = read_records(args.from_records)
        print(json.dumps(report(records, meta={"records": str(args.from_records)}), ensure_ascii=False))
        return
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    if unknown := sorted(set(names) - set(SETS)):
        parser.error(f"unknown set(s): {', '.join(unknown)}")
    cloud_model = args.cloud_model or installed_cloud_model()
    if not cloud_model.is_file():
        parser.error(f"no reader model at {cloud_model}: install it or pass --cloud-model PATH")
    print(json.dumps(measure(args, names, cloud_model), ensure_ascii=False))


def measure(args: argparse.Namespace, names: list[str], cloud_model: Path) -> dict:
    # Stopped with SIGTERM, the reader and Redis are stopped too (the `finally` below).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    processes = start_services(
        cloud_model, threads=args.threads, context=args.context, max_tokens=args.max_tokens
    )
    from django.conf import settings

    from tests.processes import stop

    records_path = args.records or Path(settings.KB_DATA_DIR) / "answers.jsonl"
    started = time.perf_counter()
    try:
        stop_at = time.monotonic() + (args.minutes * 60 if args.minutes else float("inf"))
        run(names, args.per_set, args.seed, records_path, stop_at=stop_at)
    finally:
        for process in reversed(processes):
            stop(process)
    meta = {
        "records": str(records_path),
        "per_set": args.per_set,
        "seed": args.seed,
        "cloud_model": cloud_model.name,
        "reader_threads": args.threads,
        "embedding_model": settings.EMBEDDING_MODEL,
        "answer_max_tokens": settings.ROUTER_ANSWER_MAX_TOKENS,
        "plain_rag_top_k": TOP_K,
        "pipeline_top_k": settings.ROUTER_RETRIEVE_TOP_K,
        "condense_budget_tokens": settings.ROUTER_CONDENSE_BUDGET_TOKENS,
        "minutes": round((time.perf_counter() - started) / 60, 1),
    }
    return report(read_records(records_path), meta=meta)


if __name__ == "__main__":
    main()
