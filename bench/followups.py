"""Follow-ups: does the resolved question find the evidence as well as the question written
out in full would?

On bench/data/followups.jsonl (two-turn conversations over the company samples and
../shared/eval/xquad_dev, in English, in Chinese and across the two: `first`, `followup`,
the written-out `standalone` question and the `gold` passage or documents), recall@5 of
the gold for (a) the follow-up as asked, (b) the follow-up resolved by router/resolve.py
from the first question, (c) the written-out question. Retrieval is the product's: the
samples (load_samples) and every xquad paragraph in both languages, each a document of its
own, in a fresh index; the questions asked as a reader of every group, through
router.retrieve with its relevance rule and the configured embedder. Target: (b) within 3
points of (c).
Also the resolve stage's latency. Prints one JSON object.
    .venv/bin/python bench/followups.py [--data bench/data/followups.jsonl] [--show-misses]
"""

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import ROOT, django_in_temp_dir

XQUAD = ROOT.parent / "shared" / "eval" / "xquad_dev" / "passages.jsonl"
TOP_K = 5
TARGET_GAP = 0.03
KINDS = ("raw", "resolved", "written")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def build_index() -> dict[int, str]:
    """The samples and the xquad paragraphs; returns document id → what gold names it by
    (a sample's file name, or an xquad paragraph id)."""
    from django.conf import settings
    from django.core.management import call_command

    from ingestion.models import Document
    from ingestion.pipeline import ingest_document
    from ingestion.services import document_submit

    with open("/dev/null", "w") as quiet:
        call_command("seed_demo", stdout=quiet)
        call_command("load_samples", sync=True, stdout=quiet)
    names = {d.pk: d.original_name for d in Document.objects.all()}
    for passage in read_jsonl(XQUAD):
        for lang in ("en", "zh"):
            result = document_submit(
                filename=f"xquad-{passage['id']}-{lang}.txt", data=passage[lang].encode(), uploaded_by=None,
                groups=[], sensitivity="internal", max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=False,
            )  # fmt: skip
            ingest_document(result.document.pk)
            names[result.document.pk] = passage["id"]
    return names


def reader():
    """Someone in every group: recall here is about ranking, not permissions."""
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("bench-reader")
    user.groups.add(*Group.objects.all())
    return user


def top_names(question: str, *, user, names: dict[int, str]) -> list[str]:
    from router.deps import pipeline_deps
    from router.retrieve import retrieve

    deps = pipeline_deps()
    vector = deps.embedder.embed([question], kind="query")[0]
    passages = retrieve(
        question=question, question_vector=vector, user=user, index=deps.index,
        limit=TOP_K,
    ).passages  # fmt: skip
    return [names.get(p.document_id, "") for p in passages]


def is_hit(gold: dict, found: list[str]) -> bool:
    wanted = {gold["passage_id"]} if "passage_id" in gold else set(gold["documents"])
    return bool(wanted & set(found))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "data" / "followups.jsonl")
    parser.add_argument("--show-misses", action="store_true", help="list the resolved questions that miss")
    args = parser.parse_args()
    django_in_temp_dir()
    from ingestion.models import Document
    from router.resolve import resolve_question

    started = time.perf_counter()
    names = build_index()
    index_s = time.perf_counter() - started
    user = reader()
    conversations = read_jsonl(args.data)

    hits: dict[str, dict[str, list[bool]]] = defaultdict(lambda: {k: [] for k in KINDS})
    resolve_ms, changed, misses = [], 0, []
    for item in conversations:
        started = time.perf_counter()
        resolution = resolve_question(item["followup"], [("user", item["first"]), ("assistant", "")])
        resolve_ms.append((time.perf_counter() - started) * 1000)
        changed += resolution.changed
        asked = {"raw": item["followup"], "resolved": resolution.question, "written": item["standalone"]}
        source = "xquad" if "passage_id" in item["gold"] else "samples"
        for kind, question in asked.items():
            hit = is_hit(item["gold"], top_names(question, user=user, names=names))
            for group in ("all", item["lang"], source):
                hits[group][kind].append(hit)
            if kind == "resolved" and not hit:
                misses.append({"id": item["id"], "resolved": resolution.question})

    recall = {
        group: {"n": len(by_kind["raw"]), **{k: round(sum(v) / len(v), 4) for k, v in by_kind.items()}}
        for group, by_kind in sorted(hits.items())
    }
    overall = recall["all"]
    out = {
        "conversations": len(conversations),
        "languages": {
            group: figures["n"]
            for group, figures in recall.items()
            if group not in ("all", "xquad", "samples")
        },
        "documents_indexed": Document.objects.filter(status="indexed").count(),
        "index_build_s": round(index_s, 1),
        "recall@5": recall,
        "resolved_minus_written": round(overall["resolved"] - overall["written"], 4),
        "meets_target": overall["resolved"] >= overall["written"] - TARGET_GAP,
        "changed_by_resolve": changed,
        "resolve_ms": {
            "p50": round(statistics.median(resolve_ms), 3),
            "max": round(max(resolve_ms), 3),
        },
    }
    if args.show_misses:
        out["resolved_misses"] = misses
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
