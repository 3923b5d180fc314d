"""PDFs as they arrive from mail gateways and scanners: stray bytes before `%PDF` (readers
accept the header anywhere in the first kilobyte), and pages that are only images, whose
text layer is at most a label. Every PDF is made here with reportlab, Pillow and pypdf."""

import io

import pytest

from ingestion.models import Status
from ingestion.parse import ParseError, parse_document
from ingestion.parse.detect import PDF_HEADER_WINDOW
from ingestion.store import index_chunks
from tests.ingestion.bad_files import text_pdf
from tests.ingestion.test_services import ingested

SENTENCE = "Trips abroad need the director's approval."
A4 = (595, 842)


@pytest.mark.parametrize(
    "prefix",
    [
        b"\xef\xbb\xbf",  # a UTF-8 byte order mark
        b"\x00" * 128,  # a MacBinary-style header
        b"Content-Type: application/pdf\r\nContent-Transfer-Encoding: binary\r\n\r\n",  # a mail part
        b"<html>saved by a portal</html>\n",
        bytes(range(256)) * 3,  # binary junk, 768 bytes
        b"x" * (PDF_HEADER_WINDOW - 1),  # the header starts at the last byte of the window
    ],
)
def test_a_pdf_with_stray_bytes_before_its_header_is_read(prefix):
    parsed = parse_document(prefix + text_pdf(), "policy.pdf")

    assert parsed.detected_type == "pdf"
    assert SENTENCE in " ".join(section.text for section in parsed.sections)


def test_a_header_past_the_first_kilobyte_is_not_a_pdf_as_readers_agree():
    with pytest.raises(ParseError, match="upload it with its real extension"):
        parse_document(b"x" * PDF_HEADER_WINDOW + text_pdf(), "policy.pdf")


def page_image(text: str = "", size: tuple[int, int] = (300, 420)):
    """A small grey image, smaller than a scan's usual pixel size, drawn over a whole page."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, 255)
    if text:
        ImageDraw.Draw(image).text((12, size[1] // 3), text, fill=0, font=ImageFont.load_default(size=22))
    return image


def image_pdf(images: list, *, label: str = "Background", inline: bool = False) -> bytes:
    """Pages that are each one image over the whole page, with an invisible text label (as
    design tools leave behind) that a text extractor still reads."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    for image in images:
        if inline:
            pdf.drawInlineImage(image, 0, 0, *A4)
        else:
            pdf.drawImage(ImageReader(image), 0, 0, *A4)
        if label:
            text = pdf.beginText(40, 40)
            text.setTextRenderMode(3)  # invisible
            text.textLine(label)
            pdf.drawText(text)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


@pytest.mark.parametrize("inline", [False, True])
def test_an_image_only_pdf_whose_text_is_a_label_is_refused_as_having_no_text_layer(inline):
    with pytest.raises(
        ParseError, match=r"^the PDF has no text layer, and OCR found no text on its 4 scanned pages"
    ):
        parse_document(image_pdf([page_image()] * 4, inline=inline), "brochure.pdf")


def test_an_image_only_pdf_is_read_by_ocr_instead_of_its_label():
    parsed = parse_document(image_pdf([page_image("Reception"), page_image("Parking")]), "signs.pdf")

    assert [(s.text, s.page, s.ocr) for s in parsed.sections] == [
        ("Reception", 1, True),
        ("Parking", 2, True),
    ]


def test_an_image_only_pdf_is_refused_with_the_reason_when_ocr_is_off():
    from ingestion.parse import ParseLimits

    with pytest.raises(
        ParseError, match=r"^the PDF has no text layer \(it is a scan\) and OCR is switched off"
    ):
        parse_document(image_pdf([page_image()]), "brochure.pdf", limits=ParseLimits(ocr_enabled=False))


def test_a_text_page_with_a_photo_keeps_its_text_layer():
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    pdf.drawImage(ImageReader(page_image(size=(800, 600))), 72, 500, 200, 150)  # about a tenth of the page
    pdf.drawString(72, 450, "Caption.")
    pdf.save()

    parsed = parse_document(buffer.getvalue(), "photo.pdf")
    assert [(s.text, s.ocr) for s in parsed.sections] == [("Caption.", False)]


@pytest.mark.django_db
def test_stray_bytes_are_indexed_and_a_labelled_image_pdf_fails_with_nothing_indexed(empty_index):
    read = ingested("mailed.pdf", b"\xef\xbb\xbfContent-Type: application/pdf\r\n\r\n" + text_pdf())
    refused = ingested("brochure.pdf", image_pdf([page_image()] * 4))

    assert read.status == Status.INDEXED, read.failure_reason
    assert SENTENCE in " ".join(chunk.text for chunk in index_chunks(document_id=read.pk))
    assert refused.status == Status.FAILED and "no text layer" in refused.failure_reason
    assert index_chunks(document_id=refused.pk) == []
