"""PNG and JPEG images: their text, by OCR. Pillow reads only the header here (the size, to
refuse a decompression bomb before tesseract inflates it)."""

import io
import tempfile
from pathlib import Path

from ingestion.parse.base import Outline, ParseError, ParseLimits
from ingestion.parse.ocr import ocr_image_file, ocr_unavailable_reason


def parse_image(data: bytes, limits: ParseLimits) -> Outline:
    from PIL import Image

    reason = ocr_unavailable_reason(limits)
    if reason:
        raise ParseError(f"an image's text can only be read by OCR, and {reason}")
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height, kind = image.width, image.height, image.format
    except Exception as exc:  # Pillow raises many types on damaged headers
        raise ParseError(f"the image is damaged and cannot be read ({exc.__class__.__name__})") from exc
    if width * height > limits.max_image_pixels:
        raise ParseError(
            f"the image is {width} × {height} pixels, over the {limits.max_image_pixels:,}-pixel limit for OCR"
        )
    with tempfile.TemporaryDirectory(prefix="kb-ocr-") as folder:
        path = Path(folder) / f"image.{(kind or 'png').lower()}"
        path.write_bytes(data)
        found = ocr_image_file(path, limits, what="the image")
    if not found:
        raise ParseError("no text was recognised in the image")
    outline = Outline()
    for paragraph in found:
        outline.add(paragraph, ocr=True)
    return outline
