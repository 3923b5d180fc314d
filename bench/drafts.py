"""Drafts for the unsupported-sentence dev set (issue 11): real local models answering real
questions, with the context the local route would give them, before any check.

Questions: bench/data/draft_questions.jsonl over the company samples and the 18F handbook
(`{"id", "lang", "source", "question"}`; `source` is a samples file or an 18F page), and
xquad_dev in English and Chinese. Each question's context is the product's: the best
chunks by embedding similarity, condensed by router.condense to the router's budget. The
draft is the product's local prompt (router.prompts.local_draft_messages) through the product's
local backend, at the local route's token limit. Prints nothing; writes one JSON line per
draft: `{"id", "lang", "source", "model", "question", "context", "draft"}`. Labels are
added by hand afterwards (bench/data/drafts_dev.jsonl).

    .venv/bin/python bench/drafts.py --model PATH.gguf --out OUT.jsonl [--samples N] [--xquad N]
        [--seed N] [--max-tokens N]
"""

import argparse
import dataclasses
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._setup import CORPUS, ROOT, django_in_temp_dir

QUESTIONS = ROOT / "bench" / "data" / "draft_questions.jsonl"
XQUAD = ROOT.parent / "shared" / "eval" / "xquad_dev"
TOP_CHUNKS = 3


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, help="a GGUF file; default: the product's local model")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--samples", type=int, default=1000, help="at most this many handbook questions")
    parser.add_argument("--xquad", type=int, default=40, help="xquad questions per language")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--max-tokens", type=int, default=None, help="default: the local route's limit")
    args = parser.parse_args()
    django_in_temp_dir()
    from router.backends import LazyLocalBackend
    from router.config import local_llm_config

    config = local_llm_config()
    if args.model:
        config = dataclasses.replace(config, model_path=args.model)
    backend = LazyLocalBackend(config)
    items = _handbook_items(args.samples) + _xquad_items(args.xquad, random.Random(args.seed))
    done = _drafted(args.out)  # a run stopped midway goes on where it stopped
    with args.out.open("a", encoding="utf-8") as out:
        for item in (i for i in items if i["id"] not in done):
            item.update(
                model=backend.name, draft=_draft(backend, item["question"], item["context"], args.max_tokens)
            )
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
            out.flush()


def _drafted(path: Path) -> set[str]:
    if not path.exists():
        return set()
    return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def _draft(backend, question: str, context: str, max_tokens: int | None) -> str:
    from router.generate import LOCAL_MODEL_MAX_TOKENS
    from router.prompts import local_draft_messages

    completion = backend.stream(
        local_draft_messages(question, context),
        max_tokens=max_tokens or LOCAL_MODEL_MAX_TOKENS,
        temperature=0.1,
    )
    return "".join(completion.chunks)


def _handbook_items(limit: int) -> list[dict]:
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]
    chunks_of: dict[str, list] = {}
    items = []
    for row in rows[:limit]:
        if row["source"] not in chunks_of:
            chunks_of[row["source"]] = _chunks(row["source"])
        items.append({**row, "context": _context(row["question"], chunks_of[row["source"]])})
    return items


def _chunks(source: str) -> list:
    """A samples file, or all of the 18F handbook ("18f"), as the product would chunk it."""
    from django.conf import settings

    from ingestion.chunk import chunk_document
    from ingestion.embed import get_embedder
    from ingestion.parse import ParseError, parse_document
    from router.condense import Passage

    paths = sorted(CORPUS.rglob("*.md")) if source == "18f" else [ROOT / "samples" / source]
    count = get_embedder().count_tokens
    passages = []
    for path in paths:
        try:
            parsed = parse_document(path.read_bytes(), path.name)
        except ParseError:  # a page of links only
            continue
        for chunk in chunk_document(
            parsed, count_tokens=count, max_tokens=settings.KB_CHUNK_TOKENS,
            overlap_tokens=settings.KB_CHUNK_OVERLAP_TOKENS,
        ):  # fmt: skip
            chunk_id = f"{path.name}#{chunk.position}"
            passages.append(
                Passage(chunk_id=chunk_id, text=chunk.text, title=parsed.title, heading=chunk.heading)
            )
    return passages


def _context(question: str, passages: list) -> str:
    """The best chunks for the question, condensed as the local route condenses them."""
    from ingestion.embed import get_embedder
    from router.condense import condense
    from router.config import router_config

    embedder = get_embedder()
    vectors = _passage_vectors(tuple(p.chunk_id for p in passages), passages)
    query = np.asarray(embedder.embed([question], kind="query")[0], dtype=np.float32)
    best = np.argsort(-(vectors @ query))[:TOP_CHUNKS]
    condensed = condense(
        question,
        [passages[i] for i in best],
        budget_tokens=router_config().condense_budget_tokens,
        embedder=embedder,
    )
    return condensed.render()


_VECTORS: dict[tuple, np.ndarray] = {}


def _passage_vectors(key: tuple, passages: list) -> np.ndarray:
    from ingestion.embed import get_embedder

    if key not in _VECTORS:
        texts = [f"{p.heading}\n{p.text}" for p in passages]
        _VECTORS[key] = np.asarray(get_embedder().embed(texts, kind="passage"), dtype=np.float32)
    return _VECTORS[key]


def _xquad_items(per_language: int, rng: random.Random) -> list[dict]:
    """Questions of xquad_dev with their paragraph and another of the same article."""
    from router.condense import Passage

    passages = {
        p["id"]: p
        for p in map(json.loads, (XQUAD / "passages.jsonl").read_text(encoding="utf-8").splitlines())
    }
    questions = [
        json.loads(line) for line in (XQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    items = []
    for lang in ("en", "zh"):
        for q in rng.sample(questions, per_language):
            gold = passages[q["passage_id"]]
            others = [p for p in passages.values() if p["title"] == gold["title"] and p["id"] != gold["id"]]
            chosen = [gold, *rng.sample(others, min(1, len(others)))]
            candidates = [Passage(chunk_id=p["id"], text=p[lang], title=p["title"]) for p in chosen]
            question = q[lang]["question"]
            items.append(
                {"id": f"xquad-{lang}-{q['id']}", "lang": lang, "source": "xquad_dev", "question": question,
                 "context": _context(question, candidates)}
            )  # fmt: skip
    return items


if __name__ == "__main__":
    main()
