"""Quality routing estimated from bench/answers.py's per-question records (issue 11, item 5).

The rule estimated: keep the local answer when the product's local outcome was a grounded
model draft, or quoted passages whose best retrieved chunk was relevant enough (its cosine,
`top_relevance`, at or above a threshold); optionally only for questions the product's
policy scored below its complexity threshold (those needing reasoning go to the cloud); otherwise the
cloud answers with the condensed payload. Reported against always sending the condensed
payload: the share of cloud calls left and the F1 and gold-contained rate kept. A drafted
local answer is scored twice: as a whole (the quotes, then the draft: long, so a low F1
even when right), and by its short answer alone (`short_answers`: the draft below the
quotes, which a reader takes as the answer, as a cloud answer is scored). Re-run it on a
saved file (the records hold every answer and its score):
    .venv/bin/python bench/answer_routing.py OUT.jsonl [--reasoning-to-cloud]
"""

import argparse
import json
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

from answer_scores import score, short_answer

TARGETS = {"fewer_cloud_calls": 0.40, "f1_ratio": 0.95}
# Relevance thresholds tried for keeping quotes local; None keeps only grounded drafts.
QUOTE_THRESHOLDS: tuple[float | None, ...] = (None, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.0)


def read_records(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def keeps_local(record: dict, *, quote_relevance: float | None, reasoning_to_cloud: bool = False) -> bool:
    """Whether the estimated router keeps this question's local answer."""
    local = record["modes"]["local"]
    if not record["modes"]["condensed"]["cloud_calls"]:
        return True  # the product sent nothing either (nothing found, small talk)
    if reasoning_to_cloud and local["complexity"] >= local["complexity_threshold"]:
        return False
    if local["how"] == "model":
        return True
    relevance = record.get("top_relevance")
    confident = quote_relevance is not None and relevance is not None and relevance >= quote_relevance
    return local["how"] == "quoted passages" and confident


def local_score(record: dict, *, short_answers: bool) -> dict:
    local = record["modes"]["local"]
    if not (short_answers and local["how"] == "model"):
        return local["score"]
    return score(short_answer(local["answer"]), record["answers"], record["lang"]).__dict__


def estimate(
    records: Sequence[dict],
    *,
    quote_relevance: float | None,
    reasoning_to_cloud: bool = False,
    short_answers: bool = False,
) -> dict:
    """Cloud calls and quality of the routed answers beside always-cloud (condensed payload)."""
    routed, cloud_calls = [], 0
    for record in records:
        local = keeps_local(record, quote_relevance=quote_relevance, reasoning_to_cloud=reasoning_to_cloud)
        routed.append(
            local_score(record, short_answers=short_answers)
            if local
            else record["modes"]["condensed"]["score"]
        )
        cloud_calls += 0 if local else record["modes"]["condensed"]["cloud_calls"]
    always = [r["modes"]["condensed"]["score"] for r in records]
    always_calls = sum(r["modes"]["condensed"]["cloud_calls"] for r in records)
    f1, always_f1 = _mean(s["f1"] for s in routed), _mean(s["f1"] for s in always)
    contained, always_contained = _mean(s["contained"] for s in routed), _mean(s["contained"] for s in always)
    return {
        "quote_relevance": quote_relevance,
        "reasoning_to_cloud": reasoning_to_cloud,
        "cloud_calls": cloud_calls,
        "always_cloud_calls": always_calls,
        "fewer_cloud_calls": round(1 - cloud_calls / max(always_calls, 1), 4),
        "f1": f1,
        "always_cloud_f1": always_f1,
        "f1_ratio": round(f1 / always_f1, 4) if always_f1 else None,
        "contained": contained,
        "always_cloud_contained": always_contained,
        "contained_ratio": round(contained / always_contained, 4) if always_contained else None,
    }


def sweep(
    records: Sequence[dict], *, reasoning_to_cloud: bool = False, short_answers: bool = False
) -> list[dict]:
    return [
        estimate(
            records, quote_relevance=t, reasoning_to_cloud=reasoning_to_cloud, short_answers=short_answers
        )
        for t in QUOTE_THRESHOLDS
    ]


def report(records: Sequence[dict], *, reasoning_to_cloud: bool = False) -> dict:
    """The sweep over every record and per set, and the local outcomes seen."""
    sets = sorted({r["set"] for r in records})
    return {
        "targets": TARGETS,
        "local_outcomes": dict(Counter(str(r["modes"]["local"]["how"]) for r in records)),
        "all": sweep(records, reasoning_to_cloud=reasoning_to_cloud),
        "all_short_answers": sweep(records, reasoning_to_cloud=reasoning_to_cloud, short_answers=True),
        "sets": {
            name: sweep([r for r in records if r["set"] == name], reasoning_to_cloud=reasoning_to_cloud)
            for name in sets
        },
    }


def _mean(values: Iterable[float]) -> float:
    listed = list(values)
    return round(statistics.fmean(listed), 4) if listed else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("records", type=Path)
    parser.add_argument(
        "--reasoning-to-cloud",
        action="store_true",
        help="send questions at or over the product's complexity threshold to the cloud",
    )
    args = parser.parse_args()
    print(json.dumps(report(read_records(args.records), reasoning_to_cloud=args.reasoning_to_cloud)))


if __name__ == "__main__":
    main()
