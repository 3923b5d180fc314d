"""Bytes of a text-based upload (text, Markdown, HTML, CSV) → str and the encoding it was
in, or a refusal that says why. charset-normalizer is imported inside the function that
uses it, so that the web app does not load it."""

from dataclasses import dataclass

from ingestion.parse.base import ParseError

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8"),
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
# What companies' files are saved in, most likely first: among the encodings a file decodes
# to equally cleanly, the first here wins (a short Chinese line is also "valid" Korean).
_PREFERRED = ("gb18030", "big5", "cp932", "shift_jis", "euc_jp", "cp949", "euc_kr", "cp1252", "latin_1")
_CANDIDATE_SLACK = (
    0.1  # how much more "chaos" (charset-normalizer's mess score) a preferred encoding may have
)
# UTF-16/32 without a BOM were ruled out before; EBCDIC reads any byte as a letter.
_NEVER = ("utf_16", "utf_32", "cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140")
_SAMPLE_BYTES = 512 * 1024  # detection reads this much; the whole file is then decoded strictly
_NAMES = {"gb18030": "GB18030", "big5": "Big5", "cp932": "Shift-JIS", "shift_jis": "Shift-JIS"}
_NAMES |= {"cp1252": "Windows-1252", "latin_1": "ISO-8859-1", "cp949": "EUC-KR", "euc_kr": "EUC-KR"}


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # a readable name: "UTF-8", "GB18030", "Windows-1252", …


def decode_text(data: bytes) -> DecodedText:
    """UTF-8, UTF-16 and UTF-32 (with a BOM, or UTF-16 without one), else what
    charset-normalizer finds plausible; refused only when no encoding reads as text."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(codec), name)
            except UnicodeDecodeError as exc:
                raise ParseError(
                    f"the file claims to be {name} but byte {exc.start} is not valid {name}"
                ) from exc
    utf16 = _utf16_without_bom(data)  # before UTF-8, which reads its zero bytes as valid text
    if utf16 is not None:
        return utf16
    try:
        return DecodedText(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError:
        pass
    for codec in _detected_codecs(data):
        try:
            text = data.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return DecodedText(text, _label(codec, data, text))
    raise ParseError(
        "the text's encoding cannot be recognised (it reads as none of UTF-8, UTF-16, GB18030, "
        "Big5, Shift-JIS or Windows-1252); save it as UTF-8 and upload it again"
    )


def _utf16_without_bom(data: bytes) -> DecodedText | None:
    """Mostly-Latin UTF-16 has a zero in every other byte, on the side that tells its order."""
    head = data[:4096]
    if len(head) < 4 or len(data) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    codec = "utf-16-le" if odd > 0.3 * len(head) / 2 and even == 0 else None
    codec = "utf-16-be" if even > 0.3 * len(head) / 2 and odd == 0 else codec
    if codec is None:
        return None
    try:
        return DecodedText(data.decode(codec), "UTF-16")
    except UnicodeDecodeError:
        return None


def _detected_codecs(data: bytes) -> list[str]:
    from charset_normalizer import from_bytes

    sample = data[:_SAMPLE_BYTES]
    if len(data) > _SAMPLE_BYTES and b"\n" in sample:  # never cut a multi-byte character in two
        sample = sample[: sample.rindex(b"\n") + 1]
    matches = [m for m in from_bytes(sample) if not m.encoding.startswith(_NEVER)]
    if not matches:
        return []
    least = min(m.chaos for m in matches)
    close = [m.encoding for m in matches if m.chaos <= least + _CANDIDATE_SLACK]
    preferred = sorted((c for c in close if c in _PREFERRED), key=_PREFERRED.index)
    return preferred + [
        m.encoding for m in sorted(matches, key=lambda m: m.chaos) if m.encoding not in preferred
    ]


def _label(codec: str, data: bytes, text: str) -> str:
    """Single-byte code pages agree on most letters; when Windows-1252 reads the same, say so."""
    if codec not in _PREFERRED:
        try:
            if data.decode("cp1252") == text:
                return "Windows-1252"
        except UnicodeDecodeError:
            pass
    return _NAMES.get(codec, codec.replace("_", "-").upper())


def _plausible(text: str) -> bool:
    sample = text[:5000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= 0.01 * max(len(sample), 1)


def refuse_binary_text(text: str) -> None:
    sample = text[:5000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * len(sample):
        raise ParseError("the file contains binary data, not text")
