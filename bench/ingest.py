"""Ingestion throughput: chunks per second, MB per minute and peak memory, on a generated
corpus of at least 2,000 chunks built from the public-domain 18F handbook (shared/corpus).

Runs the real pipeline (parse → chunk → embed → Chroma) in this process, embedded Chroma,
in a temporary data folder. Prints one JSON object.
    .venv/bin/python bench/ingest.py [--min-chunks 2000]
"""

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import django_in_temp_dir, ingest_handbook_edition


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--min-chunks", type=int, default=2000)
    args = parser.parse_args()
    django_in_temp_dir()

    from ingestion.embed import get_embedder
    from ingestion.models import Document

    get_embedder()  # model load is start-up cost, not throughput
    chunks = total_bytes = documents = edition = 0
    started = time.perf_counter()
    while chunks < args.min_chunks:
        edition += 1
        added_documents, added_chunks, added_bytes = ingest_handbook_edition(edition)
        documents, chunks, total_bytes = (
            documents + added_documents,
            chunks + added_chunks,
            total_bytes + added_bytes,
        )
    seconds = time.perf_counter() - started
    failed = Document.objects.filter(status="failed").count()
    print(
        json.dumps(
            {
                "benchmark": "ingest",
                "documents": documents,
                "failed": failed,
                "chunks": chunks,
                "megabytes": round(total_bytes / 1_048_576, 2),
                "seconds": round(seconds, 1),
                "chunks_per_second": round(chunks / seconds, 1),
                "mb_per_minute": round(total_bytes / 1_048_576 / seconds * 60, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
            }
        )
    )


if __name__ == "__main__":
    main()
