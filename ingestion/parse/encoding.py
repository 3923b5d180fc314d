"""Bytes of a text-based upload (text, Markdown, HTML) → str, or a refusal that says why."""

from ingestion.parse.base import ParseError
from ingestion.text import WIDE_CHAR


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 when it decodes cleanly into
    mostly Chinese text; anything else is refused with the offset of the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(
                f"the file claims to be UTF-16 but byte {exc.start} is not valid UTF-16"
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        chinese = _decode_gb18030(data)
        if chinese is not None:
            return chinese
        raise ParseError(
            f"the text is not UTF-8 (byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}); "
            "save it as UTF-8 and upload it again"
        ) from utf8_error


def _decode_gb18030(data: bytes) -> str | None:
    """Chinese files saved by older Windows tools. GB18030 decodes almost any byte string,
    so the result is accepted only when it reads as Chinese: printable and mostly CJK."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    visible = [ch for ch in text if not ch.isspace()]
    printable = all(ch.isprintable() for ch in visible)
    return text if visible and printable and len(WIDE_CHAR.findall(text)) >= 0.3 * len(visible) else None


def refuse_binary_text(text: str) -> None:
    sample = text[:5000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * len(sample):
        raise ParseError("the file contains binary data, not text")
