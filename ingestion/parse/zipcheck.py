"""Office files (DOCX, XLSX, PPTX, ODT) are zip packages: refuse a zip bomb from the sizes
the archive declares, before anything is inflated."""

import io
import zipfile

from ingestion.parse.base import ParseError, ParseLimits, human_size

RATIO_FLOOR = 1 << 20  # small XML parts compress very well without being bombs


def check_zip(data: bytes, limits: ParseLimits, *, what: str = "the Word document") -> None:
    """Python's zipfile never inflates a member past its declared size, so these are trustworthy."""
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()  # readable: detect_type opened it
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise ParseError(
            f"{what} would expand to {human_size(total)}, over the "
            f"{human_size(limits.max_unzipped_bytes)} limit; it looks like a zip bomb"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise ParseError(
                f"{what}'s part {member.filename} is compressed {ratio:.0f} times "
                f"(the limit is {limits.max_compression_ratio}); it looks like a zip bomb"
            )
