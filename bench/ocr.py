"""OCR of scanned pages: every page of the two PDF samples (English and Chinese) rendered to a
200-dpi grey image with poppler's pdftoppm, put back into a PDF with no text layer, and read
by the product's parser (tesseract, chi_sim+eng). Reports the share of the page's own words
(English) or characters (Chinese) recognised, and pages per minute. Prints one JSON object.
    .venv/bin/python bench/ocr.py
"""

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {"en": "travel-and-expense-policy.pdf", "zh": "hr-salary-bands-and-case-note-zh.pdf"}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from pypdf import PdfReader

    from ingestion.parse import parse_document
    from ingestion.text import CJK_CHAR
    from tests.ingestion.scans import SAMPLES as SAMPLE_DIR
    from tests.ingestion.scans import recall, scanned_page, words

    tokens = {"en": words, "zh": CJK_CHAR.findall}
    report: dict[str, dict] = {}
    for language, sample in SAMPLES.items():
        recalls, seconds = [], 0.0
        for page in range(1, len(PdfReader(SAMPLE_DIR / sample).pages) + 1):
            with tempfile.TemporaryDirectory() as folder:
                scan, truth = scanned_page(sample, page, Path(folder))
            started = time.perf_counter()
            parsed = parse_document(scan, "scan.pdf")
            seconds += time.perf_counter() - started
            text = "\n".join(section.text for section in parsed.sections)
            recalls.append(recall(tokens[language](text), tokens[language](truth)))
        report[language] = {
            "sample": sample,
            "pages": len(recalls),
            "recognised_mean": round(statistics.mean(recalls), 4),
            "recognised_min": round(min(recalls), 4),
            "pages_per_minute": round(60 * len(recalls) / seconds, 1),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
