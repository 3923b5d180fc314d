"""OCR with Debian's tesseract (and poppler's pdftoppm to render PDF pages), run as child
processes with a time limit each, so that a hard page can neither hang nor crash a worker.
The recognised text is returned as paragraphs; callers mark its sections as OCR."""

import functools
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from ingestion.parse.base import ParseError, ParseLimits
from ingestion.text import CJK_WIDE

RENDER_DPI = 300  # tesseract reads body text best at about 300 dpi
_BETWEEN_WIDE = re.compile(f"(?<=[{CJK_WIDE}])[ \\t]+(?=[{CJK_WIDE}])")  # tesseract spaces out Chinese
# One thread per tesseract: the worker pool gives the parallelism, and OpenMP's threads
# compete with each other (and the other workers) on a small machine.
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def ocr_unavailable_reason(limits: ParseLimits) -> str:
    """Empty when OCR can run; otherwise why not, in words for the KB admin."""
    if not limits.ocr_enabled:
        return "OCR is switched off on this server"
    if shutil.which("tesseract") is None:
        return "OCR is not installed on this server (tesseract-ocr is missing)"
    missing = set(limits.ocr_languages.split("+")) - _installed_languages()
    if missing:
        return f"OCR language data {', '.join(sorted(missing))} is not installed on this server"
    return ""


@functools.cache
def _installed_languages() -> frozenset[str]:
    try:
        listing = subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(line.strip() for line in listing.splitlines()[1:] if line.strip())


def ocr_image_file(path: Path, limits: ParseLimits, *, what: str, seconds: float | None = None) -> list[str]:
    """The paragraphs tesseract reads in an image file."""
    seconds = limits.ocr_seconds_per_page if seconds is None else seconds
    command = ["tesseract", str(path), "stdout", "-l", limits.ocr_languages, "--psm", "3"]
    output = _run(command, seconds, limits, what=what)
    return paragraphs(output.decode("utf-8", errors="replace"))


def ocr_pdf_page(pdf_path: Path, number: int, limits: ParseLimits) -> list[str]:
    """Render one page (1-based) and read it; the page's time limit covers both steps."""
    if shutil.which("pdftoppm") is None:
        raise ParseError(
            "the PDF has scanned pages, but this server cannot render them (poppler-utils is missing)"
        )
    started = time.monotonic()
    what = f"page {number}"
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as folder:
        image = Path(folder) / "page"
        command = ["pdftoppm", "-r", str(RENDER_DPI), "-gray", "-png", "-singlefile"]
        _run(
            [*command, "-f", str(number), "-l", str(number), str(pdf_path), str(image)],
            limits.ocr_seconds_per_page,
            limits,
            what=what,
        )
        remaining = limits.ocr_seconds_per_page - (time.monotonic() - started)
        if remaining <= 0:
            raise _too_slow(what, limits)
        return ocr_image_file(image.with_suffix(".png"), limits, what=what, seconds=remaining)


def paragraphs(text: str) -> list[str]:
    """Blank lines end paragraphs; the lines of one are joined, Chinese without spaces."""
    found = []
    for block in re.split(r"\n\s*\n", text.replace("\f", "\n\n")):
        joined = _BETWEEN_WIDE.sub("", " ".join(line.strip() for line in block.splitlines() if line.strip()))
        if re.search(r"\w", joined):
            found.append(joined)
    return found


def _run(command: list[str], seconds: float, limits: ParseLimits, *, what: str) -> bytes:
    try:
        done = subprocess.run(command, capture_output=True, timeout=seconds, check=False, env=_ENV)
    except subprocess.TimeoutExpired as exc:
        raise _too_slow(what, limits) from exc
    except OSError as exc:
        raise ParseError(f"OCR could not run on {what} ({exc.__class__.__name__})") from exc
    if done.returncode != 0:
        raise ParseError(f"OCR could not read {what}; the image may be damaged")
    return done.stdout


def _too_slow(what: str, limits: ParseLimits) -> ParseError:
    return ParseError(
        f"OCR of {what} took longer than the {limits.ocr_seconds_per_page:g} s limit per page; "
        "upload a clearer scan or a PDF with a text layer"
    )
