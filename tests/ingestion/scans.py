"""Scanned pages made from the sample documents, as a scanner would return them, and how much
of a page's own text OCR recovered; shared by the OCR tests and bench/ocr.py."""

import io
import re
import subprocess
from collections import Counter
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def scanned_page(sample: str, page: int, tmp_path: Path) -> tuple[bytes, str]:
    """A page as a scanner would return it (a 200-dpi grey image in a PDF), and its real text."""
    from PIL import Image
    from pypdf import PdfReader

    source = SAMPLES / sample
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "200",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            source,
            tmp_path / "scan",
        ],
        check=True,
        timeout=60,
    )
    buffer = io.BytesIO()
    Image.open(tmp_path / "scan.png").save(buffer, format="PDF", resolution=200)
    return buffer.getvalue(), PdfReader(source).pages[page - 1].extract_text()


def recall(found: list[str], expected: list[str]) -> float:
    """The share of the expected tokens that were recognised, counting repeats."""
    left = Counter(found)
    hits = 0
    for token in expected:
        if left[token]:
            left[token] -= 1
            hits += 1
    return hits / len(expected)


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())
