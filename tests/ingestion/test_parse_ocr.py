"""OCR of scanned pages and images with Debian's tesseract (chi_sim+eng): a page of a sample
document is rendered to an image with poppler's pdftoppm, put back into a PDF with no text
layer, and read again; the recognised words are compared with the page's own text layer.
tesseract and poppler-utils are installed by scripts/install_system.sh, so none of these
tests is skipped: without them the first test says what is missing."""

import io
import shutil

import pytest

from ingestion.parse import ParseError, ParseLimits, parse_document
from ingestion.parse.ocr import ocr_unavailable_reason
from ingestion.text import CJK_CHAR
from tests.ingestion.scans import recall, scanned_page, words


def test_tesseract_with_both_languages_and_poppler_are_installed():
    assert ocr_unavailable_reason(ParseLimits()) == ""
    assert shutil.which("pdftoppm"), "poppler-utils is missing"


def test_a_scanned_english_page_is_read_by_ocr_and_marked_as_such(tmp_path):
    scan, truth = scanned_page("travel-and-expense-policy.pdf", 1, tmp_path)
    parsed = parse_document(scan, "scan.pdf")
    text = "\n".join(s.text for s in parsed.sections)

    assert all(s.ocr and s.page == 1 for s in parsed.sections)
    assert recall(words(text), words(truth)) >= 0.95


def test_a_scanned_chinese_page_is_read_by_ocr(tmp_path):
    scan, truth = scanned_page("hr-salary-bands-and-case-note-zh.pdf", 1, tmp_path)
    parsed = parse_document(scan, "scan.pdf")
    text = "\n".join(s.text for s in parsed.sections)

    assert recall(CJK_CHAR.findall(text), CJK_CHAR.findall(truth)) >= 0.90
    assert "薪酬职级表" in text  # tesseract's spaces between Chinese characters are removed


def test_an_image_is_read_by_ocr(tmp_path):
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1400, 200), 255)
    font = ImageFont.load_default(size=48)
    ImageDraw.Draw(image).text((40, 60), "Visitors sign in at reception.", fill=0, font=font)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")

    parsed = parse_document(buffer.getvalue(), "sign.png")
    assert parsed.detected_type == "image"
    assert [(s.text, s.ocr) for s in parsed.sections] == [("Visitors sign in at reception.", True)]


def test_ocr_that_overruns_its_time_limit_is_refused_saying_which_page(tmp_path):
    scan, _ = scanned_page("travel-and-expense-policy.pdf", 1, tmp_path)
    with pytest.raises(ParseError, match=r"^OCR of page 1 took longer than the 0.01 s limit per page"):
        parse_document(scan, "scan.pdf", limits=ParseLimits(ocr_seconds_per_page=0.01))


def test_a_scan_is_refused_with_the_reason_when_ocr_is_switched_off(tmp_path):
    scan, _ = scanned_page("travel-and-expense-policy.pdf", 1, tmp_path)
    with pytest.raises(
        ParseError, match=r"^the PDF has no text layer \(it is a scan\) and OCR is switched off"
    ):
        parse_document(scan, "scan.pdf", limits=ParseLimits(ocr_enabled=False))


def test_an_image_bigger_than_the_pixel_limit_is_refused_before_ocr():
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (400, 300), 255).save(buffer, format="JPEG")
    with pytest.raises(ParseError, match=r"400 × 300 pixels, over the 1,000-pixel limit"):
        parse_document(buffer.getvalue(), "photo.jpg", limits=ParseLimits(max_image_pixels=1000))
