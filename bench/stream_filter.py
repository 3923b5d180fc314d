"""CPU the streaming post-processor costs: an answer with names, phones and e-mails fed in
token-sized pieces through the real filter, after one warm-up answer. Prints one JSON object.
    .venv/bin/python bench/stream_filter.py [--piece-chars 4] [--rounds 20]
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_dir

ANSWER = (
    "Trips abroad need approval from the department director and, above 5,000 EUR, from the CFO as well. "
    "Within the country the line manager approves. Ask Maria Gonzalez (+49 151 2345 6789, "
    "maria@northwind.example) if in doubt. "
) * 4


def filtered_ms(piece_chars: int) -> tuple[float, int]:
    from router.postprocess import ComplianceRules, StreamPostProcessor
    from router.protect import PlaceholderMap

    processor = StreamPostProcessor(
        mapping=PlaceholderMap(), rules=ComplianceRules(known_names=["Maria Gonzalez"])
    )
    started, released = time.perf_counter(), 0
    for i in range(0, len(ANSWER), piece_chars):
        released += bool(processor.feed(ANSWER[i : i + piece_chars]))
    released += bool(processor.flush())
    return (time.perf_counter() - started) * 1000, released


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--piece-chars", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    django_in_temp_dir()
    cold_ms, _ = filtered_ms(args.piece_chars)
    runs = [filtered_ms(args.piece_chars) for _ in range(args.rounds)]
    print(
        json.dumps(
            {
                "benchmark": "stream_filter",
                "answer_chars": len(ANSWER),
                "piece_chars": args.piece_chars,
                "first_answer_ms": round(cold_ms, 1),
                "per_answer_ms_median": round(statistics.median(ms for ms, _ in runs), 1),
                "released_pieces": runs[0][1],
            }
        )
    )


if __name__ == "__main__":
    main()
