"""Parsing: bytes of an uploaded file → readable text sections with headings and pages.

Every refusal is a ParseError whose message is the reason shown to the KB admin; no other
exception leaves this module. Parser libraries are imported inside the functions that use
them, so that the web app does not load them.
"""

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PurePath


class ParseError(Exception):
    """Its message is the user-facing failure reason."""


@dataclass(frozen=True)
class ParseLimits:
    max_bytes: int = 50 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024  # DOCX zip-bomb guard (total uncompressed)
    max_compression_ratio: int = 100  # per member


@dataclass(frozen=True)
class Section:
    text: str
    heading: str  # heading path, "Leave policy > Annual leave"
    page: int | None  # 1-based for PDFs


@dataclass(frozen=True)
class ParsedDocument:
    detected_type: str  # pdf, docx, html, markdown, text
    title: str | None
    sections: list[Section]


EXTENSION_TYPES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
SUPPORTED_EXTENSIONS = frozenset(EXTENSION_TYPES)
_TEXT_TYPES = {"html", "markdown", "text"}
_HTML_SNIFF = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[ >]|<h[1-6])", re.IGNORECASE)


def detect_type(data: bytes, filename: str) -> str:
    """The type the content really has, refusing an extension that claims another."""
    extension = PurePath(filename).suffix.lower()
    claimed = EXTENSION_TYPES.get(extension)
    if claimed is None:
        raise ParseError(f"unsupported file type {extension or '(no extension)'}")
    sniffed = _sniff(data)
    if claimed in _TEXT_TYPES and sniffed == "text":
        return claimed
    if claimed == "text" and sniffed == "html":
        return "text"  # an HTML snippet in a .txt is still text
    if claimed == "markdown" and sniffed == "html":
        return "markdown"  # Markdown may embed HTML
    if sniffed != claimed:
        raise ParseError(
            f"the extension {extension} does not match the content, which looks like {_describe(sniffed)}"
        )
    return claimed


def _sniff(data: bytes) -> str:
    head = data[:2048]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            return "corrupt zip archive"
        return "docx" if "word/document.xml" in names else "zip archive"
    if head.startswith((b"MZ", b"\x7fELF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0")):
        return "binary"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    if _HTML_SNIFF.match(head.lstrip(b"\xef\xbb\xbf")):
        return "html"
    return "text"


def _describe(kind: str) -> str:
    return {
        "pdf": "a PDF",
        "docx": "a Word document",
        "html": "HTML",
        "text": "plain text",
        "binary": "a binary file",
    }.get(kind, f"a {kind}")


def parse_document(data: bytes, filename: str, *, limits: ParseLimits | None = None) -> ParsedDocument:
    limits = limits or ParseLimits()
    if not data:
        raise ParseError("the file is empty")
    if len(data) > limits.max_bytes:
        raise ParseError(
            f"the file is {len(data) / 1_048_576:.1f} MB, over the {limits.max_bytes / 1_048_576:.0f} MB limit"
        )
    kind = detect_type(data, filename)
    if kind == "docx":
        title, sections = _parse_docx(data, limits)
    else:
        parser = {"pdf": _parse_pdf, "html": _parse_html, "markdown": _parse_markdown, "text": _parse_text}
        title, sections = parser[kind](data)
    sections = [s for s in sections if s.text.strip()]
    if not sections:
        raise ParseError("no readable text was found in the document")
    return ParsedDocument(detected_type=kind, title=title, sections=sections)


# --- text encodings -------------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 when it decodes cleanly into
    mostly Chinese text; anything else is refused with the offset of the first bad byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ParseError(f"the file claims UTF-16 but is not valid UTF-16 (byte {exc.start})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            text = ""
        cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
        if text and cjk >= 0.2 * len(text.strip()):
            return text
        raise ParseError(
            f"the text is not UTF-8 (invalid byte 0x{data[utf8_error.start]:02x} at offset {utf8_error.start}); "
            "save it as UTF-8 and upload it again"
        ) from utf8_error


# --- plain text and Markdown --------------------------------------------------------


def _paragraph_sections(lines: list[str], heading: str) -> list[Section]:
    text = "\n".join(lines).strip()
    return [Section(p.strip(), heading, None) for p in re.split(r"\n\s*\n", text) if p.strip()]


def _parse_text(data: bytes) -> tuple[str | None, list[Section]]:
    text = decode_text(data)
    _refuse_binary_text(text)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), None)
    return (first_line[:200] if first_line else None), _paragraph_sections(text.splitlines(), "")


def _refuse_binary_text(text: str) -> None:
    controls = sum(1 for ch in text[:5000] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.05 * max(1, len(text[:5000])):
        raise ParseError("the file looks binary, not text")


_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.DOTALL)
_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")


def _parse_markdown(data: bytes) -> tuple[str | None, list[Section]]:
    text = decode_text(data)
    _refuse_binary_text(text)
    title = None
    front = _FRONT_MATTER.match(text)
    if front:
        found = re.search(r"^title:\s*[\"']?(.*?)[\"']?\s*$", front.group(1), re.MULTILINE)
        title = found.group(1) if found else None
        text = text[front.end() :]
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    buffer: list[str] = []
    lines = text.splitlines()

    def heading_path() -> str:
        return " > ".join(name for _, name in path)

    def open_heading(level: int, name: str) -> None:
        nonlocal title
        sections.extend(_paragraph_sections(buffer, heading_path()))
        buffer.clear()
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, _strip_markdown(name)))
        title = title or (_strip_markdown(name) if level == 1 else None)

    for index, line in enumerate(lines):
        atx = _ATX.match(line)
        next_line = lines[index + 1] if index + 1 < len(lines) else ""
        if atx:
            open_heading(len(atx.group(1)), atx.group(2))
        elif line.strip() and _SETEXT.match(next_line) and not _SETEXT.match(line):
            open_heading(1 if next_line.strip().startswith("=") else 2, line.strip())
        elif (
            _SETEXT.match(line)
            and index > 0
            and lines[index - 1].strip()
            and not _ATX.match(lines[index - 1])
        ):
            continue  # the underline of a setext heading
        else:
            buffer.append(_strip_markdown(line))
    sections.extend(_paragraph_sections(buffer, heading_path()))
    return title, sections


def _strip_markdown(line: str) -> str:
    line = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"<[^>]+>", "", line)
    return line.replace("**", "").replace("__", "").replace("`", "")


# --- HTML ---------------------------------------------------------------------------

_DROPPED_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "object",
    "embed",
    "template",
    "svg",
    "form",
    "button",
)
_BLOCK_TAGS = ("p", "li", "td", "th", "pre", "blockquote", "dd", "dt", "figcaption", "caption")


def _parse_html(data: bytes) -> tuple[str | None, list[Section]]:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(decode_text(data), "lxml")
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    title = soup.title.get_text(" ", strip=True) if soup.title else None
    body = soup.body or soup
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    for element in body.find_all(["h1", "h2", "h3", "h4", "h5", "h6", *_BLOCK_TAGS, "div"]):
        if element.name.startswith("h") and len(element.name) == 2:
            level = int(element.name[1])
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, element.get_text(" ", strip=True)))
            title = title or (path[-1][1] if level == 1 else None)
            continue
        if element.find(["h1", "h2", "h3", "h4", "h5", "h6", *_BLOCK_TAGS, "div"]):
            continue  # a container: its children are read on their own
        text = element.get_text(" ", strip=True)
        if text:
            sections.append(Section(text, " > ".join(name for _, name in path), None))
    if not sections:
        raise ParseError("the HTML has no readable text (only scripts, styles or markup)")
    return title, _merge_short(sections)


def _merge_short(sections: list[Section], *, min_chars: int = 200) -> list[Section]:
    """Table cells and list items are tiny; gather neighbours of one heading into paragraphs."""
    merged: list[Section] = []
    for section in sections:
        last = merged[-1] if merged else None
        if (
            last
            and last.heading == section.heading
            and last.page == section.page
            and len(last.text) < min_chars
        ):
            merged[-1] = Section(f"{last.text}\n{section.text}", last.heading, last.page)
        else:
            merged.append(section)
    return merged


# --- PDF ----------------------------------------------------------------------------


def _parse_pdf(data: bytes) -> tuple[str | None, list[Section]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise ParseError("the PDF is encrypted; upload an unprotected copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        metadata_title = (reader.metadata.title if reader.metadata else None) or None
    except ParseError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise ParseError(f"the PDF is damaged and cannot be read ({exc.__class__.__name__})") from exc
    if not pages:
        raise ParseError("the PDF has no pages")
    if not any(text.strip() for text in pages):
        raise ParseError("the PDF has no text layer (a scan?); OCR is not supported, upload a PDF with text")
    sections = [
        Section(paragraph, "", number)
        for number, text in enumerate(pages, 1)
        for paragraph in _pdf_paragraphs(text)
    ]
    return metadata_title, sections


def _pdf_paragraphs(text: str) -> list[str]:
    paragraphs = re.split(r"\n\s*\n", text)
    if len(paragraphs) == 1:  # pypdf often returns one line per text line, no blank lines
        return [text.strip()] if text.strip() else []
    return [p.strip() for p in paragraphs if p.strip()]


# --- DOCX ---------------------------------------------------------------------------


def _check_zip(data: bytes, limits: ParseLimits) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile as exc:
        raise ParseError("the Word document is damaged (not a valid zip archive)") from exc
    total = sum(m.file_size for m in members)
    if total > limits.max_unzipped_bytes:
        raise ParseError(
            f"the Word document expands to {total / 1_048_576:.0f} MB, over the "
            f"{limits.max_unzipped_bytes / 1_048_576:.0f} MB limit (a zip bomb?)"
        )
    for member in members:
        if member.compress_size and member.file_size / member.compress_size > limits.max_compression_ratio:
            raise ParseError(
                f"the Word document has a suspiciously compressed part ({member.filename}): a zip bomb?"
            )


def _parse_docx(data: bytes, limits: ParseLimits) -> tuple[str | None, list[Section]]:
    _check_zip(data, limits)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ParseError("the Word document is damaged and cannot be read") from exc
    except Exception as exc:  # lxml raises XMLSyntaxError on broken parts
        raise ParseError(f"the Word document is damaged ({exc.__class__.__name__})") from exc
    title = document.core_properties.title or None
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            text = paragraph.text.strip()
            level = _heading_level(paragraph.style.name if paragraph.style is not None else "")
            if level and text:
                while path and path[-1][0] >= level:
                    path.pop()
                path.append((level, text))
                title = title or (text if level == 1 else None)
            elif text:
                sections.append(Section(text, " > ".join(name for _, name in path), None))
        elif tag == "tbl":
            table = docx.table.Table(child, document)
            rows = [" | ".join(cell.text.strip() for cell in row.cells) for row in table.rows]
            if rows:
                sections.append(Section("\n".join(rows), " > ".join(name for _, name in path), None))
    return title, _merge_short(sections)


def _heading_level(style: str) -> int:
    if style == "Title":
        return 1
    found = re.match(r"Heading (\d)", style)
    return int(found.group(1)) if found else 0
