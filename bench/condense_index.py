"""Condensing end to end from the index, beside plain RAG.

The paragraphs of ../shared/eval/xquad_dev (English and Chinese) and the passages of
../shared/eval/cmrc_trial are ingested through the real pipeline (parse → chunk → embed →
Chroma, sentence vectors included), each set readable by its own group, so that a question
is retrieved only against its own set, as in a knowledge base of that language. For each
question, as the request pipeline does: the configured embedder, `retrieve` (with its
relevance rule, router/relevance.py) for the configured number of chunks, the injection
screen, then `condense` with the configured budget and the stored sentence vectors. Plain
RAG is the first 5 of those chunks. Per set it reports the share of questions whose gold
answer is in the condensed context, the same share for plain RAG's top-5 chunks (and, of
the questions plain RAG had it for, the share condensing kept), and how many times smaller
the condensed context is (characters of the top-5 chunks / characters of the rendered
context, citation tags included). Why a gold answer plain RAG had is lost: no single unit
of the chunks holds it (split across sentences or chunks), or one does and was not kept;
and what condensing's best-ranked unit alone (with what it is read through) would give,
the bound of any selection of whole sentences at that ranking. Prints one JSON object.
    .venv/bin/python bench/condense_index.py [--limit N] [--sets xquad-en,xquad-zh,cmrc]
--limit samples N questions per set and ingests only their paragraphs (for development;
the figures to quote use every question and paragraph).
"""

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_dir

# The public data sets beside the project (KB_EVAL_DIR for another copy, or a test's own).
EVAL = Path(
    os.environ.get("KB_EVAL_DIR") or Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
)
SETS = ("xquad-en", "xquad-zh", "cmrc")
TOP_K = 5
TARGETS = {"condensed_gold_share": 0.92, "size_ratio": 8}


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load_set(name: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, list[str]]]]:
    """(passage id → (title, text), [(passage id, question, gold answers)]) of one set."""
    if name == "cmrc":
        passages = {
            p["id"]: (p["title"], p["text"]) for p in read_jsonl(EVAL / "cmrc_trial" / "passages.jsonl")
        }
        questions = read_jsonl(EVAL / "cmrc_trial" / "questions.jsonl")
        return passages, [(q["passage_id"], q["question"], q["answers"]) for q in questions]
    lang = name.split("-")[1]
    passages = {p["id"]: (p["title"], p[lang]) for p in read_jsonl(EVAL / "xquad_dev" / "passages.jsonl")}
    questions = read_jsonl(EVAL / "xquad_dev" / "questions.jsonl")
    return passages, [(q["passage_id"], q[lang]["question"], q[lang]["answers"]) for q in questions]


def sampled(name: str, limit: int | None, seed: int) -> tuple[dict[str, tuple[str, str]], list]:
    passages, questions = load_set(name)
    if limit and limit < len(questions):
        questions = random.Random(seed).sample(questions, limit)
        passages = {pid: passages[pid] for pid in {q[0] for q in questions}}
    return passages, questions


def ingest_set(name: str, passages: dict[str, tuple[str, str]]) -> int:
    """Each paragraph as a Markdown document under its article's title, readable by the
    set's group only. Returns the number of chunks."""
    from django.conf import settings

    from ingestion.pipeline import ingest_document
    from ingestion.services import document_submit

    chunks = 0
    for pid, (title, text) in passages.items():
        result = document_submit(
            filename=f"{name}-{pid}.md", data=f"# {title}\n\n{text}\n".encode(), uploaded_by=None,
            groups=[group(name)], sensitivity="internal", max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=False,
        )  # fmt: skip
        chunks += ingest_document(result.document.pk).chunks
    return chunks


def group(name: str):
    from django.contrib.auth.models import Group

    return Group.objects.get_or_create(name=name)[0]


def reader(name: str):
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username=f"reader-{name}")
    user.groups.add(group(name))
    return user


@dataclass(frozen=True)
class Contexts:
    plain: str  # plain RAG's top-5 chunks
    condensed: str  # the rendered condensed context
    best: str  # only the best-ranked unit (rank 0) of it, rendered the same way
    units: list[str]  # every unit condensing could keep
    ms: float  # condense time


def contexts(user, questions: list[tuple[str, str, list[str]]]) -> Iterator[Contexts]:
    """Per question, what plain RAG and the condense stage would send."""
    from ingestion.embed import get_embedder
    from ingestion.store import ChromaIndex
    from router.condense import CondensedContext, Passage, condense
    from router.config import router_config
    from router.injection import screen_passages
    from router.retrieve import retrieve
    from router.units import passage_units

    embedder, index, config = get_embedder(), ChromaIndex(), router_config()
    for _, question, _ in questions:
        vector = embedder.embed([question], kind="query")[0]
        retrieved = retrieve(
            question=question,
            question_vector=vector,
            user=user,
            index=index,
            limit=max(config.retrieve_top_k, TOP_K),
        ).passages
        started = time.perf_counter()
        screened = screen_passages(
            question,
            [Passage(chunk_id=p.chunk_id, text=p.text, title=p.title, heading=p.heading) for p in retrieved],
            index.sentence_vectors([p.chunk_id for p in retrieved]),
        )
        condensed = condense(
            question,
            screened.passages,
            budget_tokens=config.condense_budget_tokens,
            embedder=embedder,
            sentence_vectors=screened.sentence_vectors,
        )
        rendered = condensed.render()
        ms = (time.perf_counter() - started) * 1000
        best = CondensedContext(kept=[k for k in condensed.kept if k.rank == 0], source_chars=0).render()
        units = [u.text for u in passage_units(screened.passages) if u.answer]
        yield Contexts("\n".join(p.text for p in retrieved[:TOP_K]), rendered, best, units, ms)


def has_gold(text: str, answers: list[str]) -> bool:
    lowered = text.lower()
    return any(answer.lower() in lowered for answer in answers)


def measure(name: str, limit: int | None, seed: int) -> dict:
    passages, questions = sampled(name, limit, seed)
    started = time.perf_counter()
    chunks = ingest_set(name, passages)
    ingest_s = time.perf_counter() - started
    plain_gold = condensed_gold = kept_gold = plain_chars = condensed_chars = empty = 0
    split = not_kept = best_gold = best_chars = 0
    timings: list[float] = []
    for (_, _, answers), found in zip(questions, contexts(reader(name), questions), strict=True):
        in_plain, in_condensed = has_gold(found.plain, answers), has_gold(found.condensed, answers)
        plain_gold, condensed_gold = plain_gold + in_plain, condensed_gold + in_condensed
        kept_gold += in_plain and in_condensed
        if in_plain and not in_condensed:
            in_one_unit = any(has_gold(unit, answers) for unit in found.units)
            split, not_kept = split + (not in_one_unit), not_kept + in_one_unit
        best_gold += has_gold(found.best, answers)
        plain_chars, condensed_chars = plain_chars + len(found.plain), condensed_chars + len(found.condensed)
        best_chars += len(found.best)
        empty += not found.plain
        timings.append(found.ms)
    timings.sort()
    n = len(questions)
    return {
        "questions": n,
        "passages": len(passages),
        "chunks": chunks,
        "ingest_s": round(ingest_s, 1),
        "no_passage_retrieved": empty,
        "plain_rag_gold_share": round(plain_gold / n, 4),
        "condensed_gold_share": round(condensed_gold / n, 4),
        # of the questions whose gold plain RAG had, the share condensing kept: its own loss
        "condensed_kept_of_plain": round(kept_gold / max(plain_gold, 1), 4),
        "plain_rag_chars": plain_chars,
        "condensed_chars": condensed_chars,
        "size_ratio": round(plain_chars / max(condensed_chars, 1), 2),
        # of the questions plain RAG had the gold for and condensing lost: no single unit holds
        # it (split across sentences or chunks), or one does and was not kept
        "lost_split_across_units": split,
        "lost_not_kept": not_kept,
        "best_unit_only_gold_share": round(best_gold / n, 4),
        "best_unit_only_size_ratio": round(plain_chars / max(best_chars, 1), 2),
        "condense_ms_p50": round(timings[n // 2], 2),
        "condense_ms_p95": round(timings[int(0.95 * (n - 1))], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="questions per set (default: all)")
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    names = [n.strip() for n in args.sets.split(",") if n.strip()]
    if unknown := sorted(set(names) - set(SETS)):
        parser.error(f"unknown set(s): {', '.join(unknown)}")
    django_in_temp_dir()
    from django.conf import settings

    from router.config import router_config

    config = router_config()
    results = {name: measure(name, args.limit, args.seed) for name in names}
    for figures in results.values():
        figures["meets_targets"] = (
            figures["condensed_gold_share"] >= TARGETS["condensed_gold_share"]
            and figures["size_ratio"] >= TARGETS["size_ratio"]
        )
    print(
        json.dumps(
            {
                "benchmark": "condense_index",
                "embedding_model": settings.EMBEDDING_MODEL,
                "plain_rag_top_k": TOP_K,
                "condensed_top_k": max(config.retrieve_top_k, TOP_K),
                "budget_tokens": config.condense_budget_tokens,
                "targets": TARGETS,
                "sets": results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
