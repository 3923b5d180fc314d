"""Unsupported sentences in local drafts (issue 11): how many the support check lets through,
and how many supported ones it blocks, on drafts labelled by hand.

Input: bench/data/drafts_dev.jsonl, one line per drafted sentence `{"draft_id", "position",
"question", "context", "sentence", "label": "supported"|"unsupported", "reason", "model",
"lang", "source", "holdout"}`; the sentences of a draft, in order, are exactly the pieces
router.answers.draft_pieces cuts it into. Each draft is streamed through the product's
router.answers.grounded_sentences with its question, which leaves out sentences that claim
nothing and releases the others until the first it rejects; a sentence counts as released
when the stream yields it.

Figures, overall, per language, per model and for the hold-out sample (labelled apart from
the rule's tuning): `released_unsupported` (share of released sentences that are
unsupported: the issue's figure, ≤ 1 %), `unsupported_let_through` (share of unsupported
sentences released), `supported_blocked` (share of supported sentences not released, by
their own verdict or an earlier one's, or left out as claiming nothing),
`claiming_supported_blocked` (the same among supported sentences that claim something),
`left_out` (sentences the stream leaves out as claiming nothing, router.support.claims_nothing),
`verdict_supported_blocked` (by their own verdict alone), and ms per sentence (the context read afresh for each draft). Prints one JSON object.

    .venv/bin/python bench/unsupported.py [--input PATH]
"""

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data" / "drafts_dev.jsonl"
TARGET_RELEASED_UNSUPPORTED = 0.01


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", type=Path, default=DATA)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    rows = [json.loads(line) for line in args.input.read_text(encoding="utf-8").splitlines() if line.strip()]
    drafts: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        drafts[row["draft_id"]].append(row)
    judged, timings = [], []
    for sentences in drafts.values():
        sentences.sort(key=lambda r: r["position"])
        judged.extend(_judged(sentences, timings))
    groups = {"all": judged, "holdout": [r for r in judged if r["holdout"]]}
    for key in ("lang", "model"):
        for value in sorted({r[key] for r in judged}):
            groups[f"{key}={value}"] = [r for r in judged if r[key] == value]
    summary = {
        "drafts": len(drafts),
        "sentences": len(judged),
        "groups": {name: _figures(group) for name, group in groups.items()},
        "ms_per_sentence": {
            "mean": round(statistics.fmean(timings), 3),
            "p95": round(statistics.quantiles(timings, n=20)[-1], 3),
            "max": round(max(timings), 3),
        },
        "target_released_unsupported": TARGET_RELEASED_UNSUPPORTED,
        "let_through": [
            {"sentence": r["sentence"], "reason": r["reason"], "holdout": r["holdout"]}
            for r in judged
            if r["released"] and not r["truth"]
        ],
    }
    print(json.dumps(summary, ensure_ascii=False, indent=1))


def _judged(sentences: list[dict], timings: list[float]) -> list[dict]:
    """The draft's sentences with what the stream released and each one's own verdict."""
    from router import support
    from router.answers import grounded_sentences, is_grounded

    context = sentences[0]["context"]
    draft = "".join(r["sentence"] for r in sentences)
    released = _released_positions(sentences, grounded_sentences([draft], context, sentences[0]["question"]))
    support._passages.cache_clear()  # each draft's context is read once, as in the stream, and timed
    out = []
    for position, row in enumerate(sentences):
        started = time.perf_counter()
        verdict = is_grounded(row["sentence"], context)
        timings.append((time.perf_counter() - started) * 1000)
        out.append(
            {
                **row,
                "truth": row["label"] == "supported",
                "verdict": verdict,
                "released": position in released,
                "claims": not support.claims_nothing(row["sentence"], row["question"]),
            }
        )
    return out


def _released_positions(sentences: list[dict], shown: Iterable[str]) -> set[int]:
    """Which of the draft's sentences the stream yielded: its pieces are the sentences, in
    order, some left out."""
    positions, position = set(), 0
    for piece in shown:
        while sentences[position]["sentence"] != piece:
            position += 1
        positions.add(position)
        position += 1
    return positions


def _figures(rows: list[dict]) -> dict:
    released = [r for r in rows if r["released"]]
    unsupported = [r for r in rows if not r["truth"]]
    supported = [r for r in rows if r["truth"]]
    return {
        "sentences": len(rows),
        "drafts": len({r["draft_id"] for r in rows}),
        "supported": len(supported),
        "unsupported": len(unsupported),
        "released": len(released),
        "released_unsupported": _share(sum(not r["truth"] for r in released), len(released)),
        "unsupported_let_through": _share(sum(r["released"] for r in unsupported), len(unsupported)),
        "supported_blocked": _share(sum(not r["released"] for r in supported), len(supported)),
        "claiming_supported_blocked": _share(
            sum(not r["released"] for r in supported if r["claims"]), sum(r["claims"] for r in supported)
        ),
        "left_out": sum(not r["claims"] for r in rows),
        "verdict_supported_blocked": _share(sum(not r["verdict"] for r in supported), len(supported)),
        "verdict_unsupported_passed": _share(sum(r["verdict"] for r in unsupported), len(unsupported)),
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


if __name__ == "__main__":
    main()
