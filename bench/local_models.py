"""The local models of the catalogue on this machine: speed, memory and answer quality.

Speed: each model in its own process (so memory is its own), loaded as the product loads
it (router.backends.LocalBackend, LOCAL_LLM_THREADS), warmed with one answer, then given
the product's local prompt (router.prompts.local_draft_messages) over a ~1,200-character context
from the sample policies, for English and Chinese questions: time to the first token and
to the first complete sentence, prompt evaluation and generation speed, whole draft time
for up to router.generate's LOCAL_MODEL_MAX_TOKENS.

Quality: xquad_dev questions (English and the same ones in Chinese), each with its gold
paragraph as the context: answer F1 (bench/answer_scores.py: SQuAD's normalisation,
characters for Chinese) and whether the answer is in the question's language. The
baseline is quoting alone: router.condense's best-ranked sentences, the first quote the
local route shows. Prints one JSON object.
    .venv/bin/python bench/local_models.py [--models smollm2-135m,...] [--speed 6] [--quality 30]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_in_temp_dir
from answer_scores import score

XQUAD = ROOT.parent / "shared" / "eval" / "xquad_dev"
CONTEXT_CHARS = 1200
QUALITY_MAX_TOKENS = 64  # xquad's answers are short spans: past this a draft only loses precision
SAMPLES = {
    "en": ROOT / "samples" / "leave-and-hr-policy.md",
    "zh": ROOT / "samples" / "onboarding-handbook-zh.txt",
}
QUESTIONS = {
    "en": [
        "How many days of annual leave do full-time employees get?",
        "How much notice do I need to give for a week of leave?",
        "How many unused leave days can I carry over, and until when?",
        "Does verbal approval from my manager count for leave?",
        "Who does this policy apply to?",
        "What happens if my manager does not answer a leave request?",
    ],
    "zh": [
        "入职第一天几点到哪里报到？",
        "报到时需要带哪些材料？",
        "入职伙伴是谁，负责多长时间？",
        "密码至少要多少位？",
        "信息安全培训要在多少天内完成？",
        "没有按时完成培训会怎样？",
    ],
}


def percentile(seconds: list[float], q: int) -> int | None:
    """The q-th percentile in milliseconds (the value itself for one run)."""
    if len(seconds) < 2:
        return round(seconds[0] * 1000) if seconds else None
    return round(statistics.quantiles(seconds, n=100, method="inclusive")[q - 1] * 1000)


def sample_context(lang: str, turn: int) -> str:
    """The sample's first ~CONTEXT_CHARS of prose paragraphs, numbered as condensing renders
    them, starting `turn` paragraphs in (the rest follow, cyclically). Each question gets
    another order: one context for all would be evaluated once and then reused from
    llama.cpp's prompt cache, which real requests, each with its own context, do not enjoy."""
    paragraphs = [p.strip() for p in SAMPLES[lang].read_text().split("\n\n")]
    prose = [p for p in paragraphs if len(p) > 60 and not p.startswith(("---", "#"))]
    chosen: list[str] = []
    while prose and sum(map(len, chosen)) < CONTEXT_CHARS:
        chosen.append(prose.pop(0))
    turn %= len(chosen)
    return "\n".join(f"[{n}] {text}" for n, text in enumerate(chosen[turn:] + chosen[:turn], start=1))


def xquad_sample(count: int) -> list[dict]:
    """`count` questions spread evenly over the set, with their gold paragraphs."""
    passages = {p["id"]: p for p in map(json.loads, (XQUAD / "passages.jsonl").open())}
    questions = [json.loads(line) for line in (XQUAD / "questions.jsonl").open()]
    step = max(1, len(questions) // count)
    return [{**q, "passage": passages[q["passage_id"]]} for q in questions[::step][:count]]


def rss_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return round(int(line.split()[1]) / 1024, 1)
    raise KeyError(field)


def timed_answer(backend, messages: list, max_tokens: int) -> dict:
    """One streamed answer, timed: first piece, first complete sentence, end."""
    from ingestion.text import STREAM_SENTENCE_END

    started, cpu_started = time.perf_counter(), time.process_time()
    first = sentence = None
    text = ""
    completion = backend.stream(messages, max_tokens=max_tokens, temperature=0.1)
    for piece in completion.chunks:
        now = time.perf_counter() - started
        first = first if first is not None else now
        text += piece
        if sentence is None and STREAM_SENTENCE_END.search(text.strip()):
            sentence = now
    total = time.perf_counter() - started
    usage = completion.usage
    return {
        "text": text, "first_s": first, "sentence_s": sentence, "total_s": total,
        "prompt_tokens": usage.prompt_tokens, "tokens": usage.completion_tokens,
        "cpu_s": time.process_time() - cpu_started,
    }  # fmt: skip


def speed_figures(runs: list[dict]) -> dict:
    firsts = [r["first_s"] for r in runs if r["first_s"] is not None]
    decoding = [(r["tokens"] - 1) / (r["total_s"] - r["first_s"]) for r in runs if r["tokens"] > 1]
    return {
        "runs": len(runs),
        "prompt_tokens_mean": round(statistics.mean(r["prompt_tokens"] for r in runs)),
        "answer_tokens_mean": round(statistics.mean(r["tokens"] for r in runs), 1),
        "first_token_ms": {"p50": percentile(firsts, 50), "p95": percentile(firsts, 95)},
        "first_sentence_ms": {
            "p50": percentile([r["sentence_s"] or r["total_s"] for r in runs], 50),
            "p95": percentile([r["sentence_s"] or r["total_s"] for r in runs], 95),
        },
        "whole_draft_ms": {
            "p50": percentile([r["total_s"] for r in runs], 50),
            "p95": percentile([r["total_s"] for r in runs], 95),
        },
        "prompt_tokens_per_s": round(statistics.mean(r["prompt_tokens"] / r["first_s"] for r in runs), 1),
        "generation_tokens_per_s": round(statistics.mean(decoding), 1) if decoding else None,
        # CPU seconds the process got (all threads) per wall second: 2.0 is both cores, all
        # the time; on a shared machine, less, and every time above grows with it.
        "cpu_share": round(sum(r["cpu_s"] for r in runs) / sum(r["total_s"] for r in runs), 2),
        "whole_draft_cpu_ms": {
            "p50": percentile([r["cpu_s"] for r in runs], 50),
            "p95": percentile([r["cpu_s"] for r in runs], 95),
        },
    }


def quality_figures(answers: list[tuple[str, dict]]) -> dict:
    """`answers`: (answer, question record with its language under "lang")."""
    from router.answers import is_chinese

    scores = [score(answer, q[q["lang"]]["answers"], q["lang"]) for answer, q in answers]
    in_language = [is_chinese(answer) == (q["lang"] == "zh") for answer, q in answers]
    return {
        "questions": len(answers),
        "f1": round(statistics.mean(s.f1 for s in scores), 3),
        "contains_gold": round(statistics.mean(s.contained for s in scores), 3),
        "in_question_language": round(statistics.mean(in_language), 3),
    }


def quality_items(count: int) -> list[dict]:
    return [{**q, "lang": lang} for lang in ("en", "zh") for q in xquad_sample(count)]


def gold_context(item: dict) -> str:
    return f"[1] {item['passage']['title'].replace('_', ' ')}: {item['passage'][item['lang']]}"


def measure_model(name: str, speed: int, quality: int) -> dict:
    """One model, in this process: load, speed on the product's prompt, quality on xquad."""
    from django.conf import settings

    from router.admission import QueueLimits
    from router.backends import LocalBackend
    from router.generate import LOCAL_MODEL_MAX_TOKENS
    from router.local_models import catalogue_entry, installed_model_path
    from router.prompts import local_draft_messages

    path = installed_model_path(catalogue_entry(name), settings.LOCAL_MODELS_DIR)
    started = time.perf_counter()
    backend = LocalBackend(
        str(path), n_ctx=settings.LOCAL_LLM_CONTEXT, n_threads=settings.LOCAL_LLM_THREADS,
        queue=QueueLimits(waiting=1, wait_seconds=600),
    )  # fmt: skip
    load_s, loaded_rss = time.perf_counter() - started, rss_mb("VmRSS")
    timed_answer(backend, local_draft_messages("Hello?", "[1] Hello."), 8)  # warm, as the product is
    out: dict = {"model": name, "file_mb": round(path.stat().st_size / 1e6), "load_s": round(load_s, 2)}
    for lang, questions in QUESTIONS.items():
        runs = [
            timed_answer(backend, local_draft_messages(q, sample_context(lang, n)), LOCAL_MODEL_MAX_TOKENS)
            for n, q in enumerate(questions[:speed])
        ]
        out[f"speed_{lang}"] = speed_figures(runs)
        out[f"speed_{lang}"]["example"] = runs[0]["text"][:300]
    answers = [
        (timed_answer(backend, local_draft_messages(q[q["lang"]]["question"], gold_context(q)), QUALITY_MAX_TOKENS)["text"], q)
        for q in quality_items(quality)
    ]  # fmt: skip
    for lang in ("en", "zh"):
        out[f"quality_{lang}"] = quality_figures([a for a in answers if a[1]["lang"] == lang])
    out.update(rss_after_load_mb=loaded_rss, peak_rss_mb=rss_mb("VmHWM"))
    return out


def measure_quoting(quality: int) -> dict:
    """The baseline: router.condense's best turn of sentences, quoted as the local route does."""
    from django.conf import settings

    from ingestion.embed import get_embedder
    from router.answers import Quote, extractive_answer
    from router.condense import Passage, condense

    embedder, answers, timings = get_embedder(), [], []
    for item in quality_items(quality):
        question = item[item["lang"]]["question"]
        passage = Passage(
            chunk_id=item["passage_id"], text=item["passage"][item["lang"]], title=item["passage"]["title"]
        )
        started = time.perf_counter()
        kept = condense(
            question, [passage], budget_tokens=settings.ROUTER_CONDENSE_BUDGET_TOKENS, embedder=embedder
        ).kept
        best = [k.text for k in kept if k.rank == min(k.rank for k in kept)]
        answers.append((extractive_answer(question, [Quote(1, " ".join(best))] if best else []), item))
        timings.append(time.perf_counter() - started)
    figures = {
        f"quality_{lang}": quality_figures([a for a in answers if a[1]["lang"] == lang])
        for lang in ("en", "zh")
    }
    return {**figures, "quote_ms": {"p50": percentile(timings, 50), "p95": percentile(timings, 95)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="smollm2-135m,qwen2.5-coder-0.5b,qwen2.5-coder-1.5b")
    parser.add_argument("--speed", type=int, default=6, help="questions per language for speed")
    parser.add_argument("--quality", type=int, default=30, help="xquad questions per language")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a model measured in this child process
    args = parser.parse_args()
    os.environ.setdefault("LOCAL_LLM_THREADS", "2")
    django_in_temp_dir()
    if args.one:
        print(json.dumps(measure_model(args.one, args.speed, args.quality), ensure_ascii=False))
        return
    report: dict = {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "threads": int(os.environ["LOCAL_LLM_THREADS"]), "load_before": os.getloadavg(),
        "quoting": measure_quoting(args.quality), "models": {},
    }  # fmt: skip
    for name in filter(None, args.models.split(",")):  # --models "": the quoting baseline alone
        child = [
            sys.executable,
            __file__,
            "--one",
            name,
            "--speed",
            str(args.speed),
            "--quality",
            str(args.quality),
        ]
        result = subprocess.run(child, capture_output=True, text=True, check=True)
        report["models"][name] = json.loads(result.stdout.strip().splitlines()[-1])
        print(
            json.dumps({"load": os.getloadavg(), **report["models"][name]}, ensure_ascii=False),
            file=sys.stderr,
        )
    report["load_after"] = os.getloadavg()
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
