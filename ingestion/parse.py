"""Parsing: bytes of an uploaded file → readable text sections with headings and pages.

Every refusal is a ParseError whose message is the reason shown to the KB admin; no other
exception leaves this module, because uploads are untrusted and parser libraries fail in
many ways. Parser libraries are imported inside the functions that use them, so that the
web app does not load them.
"""

import io
import itertools
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePath


class ParseError(Exception):
    """Its message is the user-facing failure reason."""


@dataclass(frozen=True)
class ParseLimits:
    max_bytes: int = 50 * 1024 * 1024  # upload size limit
    max_unzipped_bytes: int = 200 * 1024 * 1024  # DOCX zip-bomb guard (total uncompressed)
    max_compression_ratio: int = 100  # per-member guard, for members over _RATIO_FLOOR


@dataclass(frozen=True)
class Section:
    text: str  # one block: paragraph, list item, table row, or reflowed PDF lines
    heading: str  # heading path, "Leave policy > Annual leave" ("" if none)
    page: int | None  # 1-based for PDFs, None otherwise


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
DEFAULT_LIMITS = ParseLimits()


def parse_document(data: bytes, filename: str, *, limits: ParseLimits = DEFAULT_LIMITS) -> ParsedDocument:
    """Sections in reading order; raises ParseError for anything that is not a readable document."""
    if not data:
        raise ParseError("the file is empty")
    if len(data) > limits.max_bytes:
        raise ParseError(f"the file is {len(data):,} bytes, over the {_size(limits.max_bytes)} upload limit")
    kind = detect_type(data, filename)
    if kind == "docx":
        _check_zip(data, limits)
    parser = {"pdf": _parse_pdf, "docx": _parse_docx, "html": _parse_html, "markdown": _parse_markdown}
    outline = parser.get(kind, _parse_text)(data)
    if not outline.sections:
        raise ParseError("no readable text was found in the document")
    return ParsedDocument(detected_type=kind, title=outline.title, sections=outline.sections)


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# --- what the content really is -----------------------------------------------------

_TEXT_TYPES = {"html", "markdown", "text"}
_HTML_START = re.compile(rb"\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[ >]|<h[1-6])", re.IGNORECASE)
_OFFICE_ZIPS = {"xl/workbook.xml": "an Excel workbook", "ppt/presentation.xml": "a PowerPoint file"}
_BINARY_MAGIC = {
    b"MZ": "a Windows program",
    b"\x7fELF": "a Linux program",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_OLE = b"\xd0\xcf\x11\xe0"  # old .doc/.xls, and also what Word makes of a password-protected .docx
_OLE_DESCRIPTION = "an old-format or password-protected Office file"
_DAMAGED_ZIP = "a damaged zip archive"


def detect_type(data: bytes, filename: str) -> str:
    """The type the content really has; refuses an unsupported extension, or one that claims
    a type the content does not have (a PDF renamed .docx, a program renamed .txt)."""
    extension = PurePath(filename).suffix.lower()
    claimed = EXTENSION_TYPES.get(extension)
    if claimed is None:
        supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
        raise ParseError(f"unsupported file type {extension or '(no extension)'}; supported: {supported}")
    sniffed = _sniff(data)
    if claimed == "docx" and sniffed == _OLE_DESCRIPTION:
        raise ParseError(
            "the Word document is password-protected or in the old .doc format; "
            "save it as an unprotected .docx and upload it again"
        )
    if claimed == "docx" and sniffed == _DAMAGED_ZIP:
        raise ParseError("the Word document is damaged (its zip structure cannot be read)")
    if sniffed == claimed or (claimed in _TEXT_TYPES and sniffed in _TEXT_TYPES):
        return claimed  # HTML inside .md or .txt is still that document's text
    raise ParseError(
        f"the file is named {extension} but its content is {_describe(sniffed)}; "
        "upload it with its real extension"
    )


def _sniff(data: bytes) -> str:
    head = data[:2048]
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(_OLE):
        return _OLE_DESCRIPTION
    for magic, description in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return description
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a binary file"
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "html"
    return "text"


def _sniff_zip(data: bytes) -> str:
    """Reads the zip's directory only: nothing is decompressed here."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return _DAMAGED_ZIP
    if "word/document.xml" in names:
        return "docx"
    return next((kind for part, kind in _OFFICE_ZIPS.items() if part in names), "a zip archive")


def _describe(kind: str) -> str:
    names = {"pdf": "a PDF", "docx": "a Word document", "html": "HTML", "markdown": "Markdown"}
    return names.get(kind, "plain text" if kind == "text" else kind)


# --- headings and text shared by every format --------------------------------------


@dataclass
class _Outline:
    """The sections read so far and the heading path in force at the current point."""

    title: str | None = None
    sections: list[Section] = field(default_factory=list)
    _path: list[tuple[int, str]] = field(default_factory=list)

    def heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        while self._path and self._path[-1][0] >= level:
            self._path.pop()
        self._path.append((level, text))
        if level <= 1 and self.title is None:
            self.title = text

    def add(self, text: str, page: int | None = None) -> None:
        text = text.strip()
        if text:
            self.sections.append(Section(text, " > ".join(name for _, name in self._path), page))


_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
_LINE_END = re.compile(r"[.!?。！？；：:;]['\")”’」』）]*$")
_LIST_OR_ROW = re.compile(
    r"^\s*([-*+•·]\s|\d+(?:[.)]\s|、)|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\|)"
)


def _reflow(lines: list[str], *, widest_wrap: float = 100) -> list[str]:
    """Hard-wrapped lines back into whole lines, so that sentence splitting and condensing
    see sentences, not the width of someone's editor or PDF column. A line ends where it
    ends a sentence or is short, or where either is a list item or table row. Blocks whose
    lines are all short, or some longer than anyone wraps at, were not wrapped at all."""
    lines = [line.strip() for line in lines if line.strip()]
    full_width = max((_width(line) for line in lines), default=0)
    if not 40 <= full_width <= widest_wrap:
        return lines
    joined = [lines[0]]
    for previous, line in itertools.pairwise(lines):
        ends = _LINE_END.search(previous) or _width(previous) < 0.6 * full_width
        if ends or _LIST_OR_ROW.match(line) or " | " in previous or " | " in line:
            joined.append(line)
        elif _CJK.match(previous[-1]) and _CJK.match(line):
            joined[-1] += line  # Chinese wraps between characters, without a space
        else:
            joined[-1] += f" {line}"
    return joined


def _width(line: str) -> int:
    return len(line) + len(_CJK.findall(line))  # a Chinese character is about two Latin wide


# --- text encodings -------------------------------------------------------------------


def _decode_text(data: bytes) -> str:
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
    return text if visible and printable and len(_CJK.findall(text)) >= 0.3 * len(visible) else None


def _refuse_binary_text(text: str) -> None:
    sample = text[:5000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > 0.01 * len(sample):
        raise ParseError("the file contains binary data, not text")


# --- plain text and Markdown --------------------------------------------------------


def _parse_text(data: bytes) -> _Outline:
    text = _decode_text(data)
    _refuse_binary_text(text)
    outline = _Outline()
    for paragraph in re.split(r"\n\s*\n", text):
        for line in _reflow(paragraph.splitlines()):
            outline.add(line)
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    outline.title = first_line if len(first_line) <= 120 else None
    return outline


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_TITLE = re.compile(r"^title:\s*[\"']?(.*?)[\"']?\s*$", re.MULTILINE)
_ATX = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_RAW_HTML_OPEN = re.compile(r"<!--|<(script|style)\b", re.IGNORECASE)


def _parse_markdown(data: bytes) -> _Outline:
    text = _decode_text(data).replace("\r\n", "\n")
    _refuse_binary_text(text)
    text = _without_scripts(text)
    outline = _Outline()
    front = _FRONT_MATTER.match(text)
    if front:
        title = _FRONT_TITLE.search(front.group(1))
        outline.title = title.group(1) if title else None
        text = text[front.end() :]
    paragraph: list[str] = []

    def end_paragraph() -> None:
        for line in _reflow(paragraph):
            outline.add(_strip_markdown(line))
        paragraph.clear()

    lines = text.split("\n")
    in_fence = False
    for index, line in enumerate(lines):
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _FENCE.match(line):
            in_fence = not in_fence
            end_paragraph()
        elif in_fence:
            paragraph.append(line)  # code stays, but never becomes a heading
        elif atx := _ATX.match(line):
            end_paragraph()
            outline.heading(len(atx.group(1)), _strip_markdown(atx.group(2)))
        elif not paragraph and line.strip() and _SETEXT.match(following) and not _LIST_OR_ROW.match(line):
            outline.heading(1 if following.strip().startswith("=") else 2, _strip_markdown(line))
            lines[index + 1] = ""  # the underline
        elif not line.strip() or _SETEXT.match(line) or _TABLE_RULE.match(line):
            end_paragraph()
        else:
            paragraph.append(line)
    end_paragraph()
    return outline


def _without_scripts(text: str) -> str:
    """Markdown may embed HTML; its scripts, styles and comments are not content. One pass
    with str.find, not a lazy regex, which would rescan to the end after every unclosed tag."""
    lower = text.lower()
    kept, at = [], 0
    for opening in _RAW_HTML_OPEN.finditer(text):
        if opening.start() < at:
            continue
        closing = f"</{opening.group(1).lower()}" if opening.group(1) else "-->"
        end = lower.find(closing, opening.end())
        if end < 0:
            break  # unclosed: the rest stays text
        kept.append(text[at : opening.start()])
        at = lower.find(">", end) + 1 or len(text)
    return "".join(kept) + text[at:]


def _strip_markdown(line: str) -> str:
    line = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links and images keep their text
    line = re.sub(r"<[^>]+>", "", line)
    line = re.sub(r"^\s*[-*+]\s+|^\s*>\s?", "", line)
    line = line.strip().strip("|").replace("**", "").replace("__", "").replace("`", "")
    return re.sub(r"\s*\|\s*", " | ", line) if "|" in line else line


# --- HTML ---------------------------------------------------------------------------

_SKIPPED_TAGS = {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "head", "nav"}
_SKIPPED_TAGS |= {"button", "select", "textarea", "canvas", "audio", "video"}
_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "header", "hr", "li", "main", "ol",
    "p", "pre", "section", "summary", "table", "tbody", "thead", "ul",
}  # fmt: skip
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _parse_html(data: bytes) -> _Outline:
    """Only text leaves this function: scripts, styles, embedded objects, comments and hidden
    elements are removed first, and attributes (event handlers included) are never read."""
    from bs4 import BeautifulSoup
    from bs4.element import PreformattedString

    try:
        soup = BeautifulSoup(_decode_text(data), "lxml")
    except ParseError:
        raise
    except Exception as exc:  # a hostile page must not crash ingestion, whatever lxml makes of it
        raise ParseError(f"the HTML cannot be read ({exc.__class__.__name__})") from exc
    title = " ".join(soup.title.get_text().split()) if soup.title else ""
    for element in soup.find_all(lambda tag: tag.name in _SKIPPED_TAGS or _hidden(tag)):
        element.decompose()
    for markup in soup.find_all(string=lambda s: isinstance(s, PreformattedString)):  # comments, CDATA
        markup.extract()
    outline = _html_outline(soup.body or soup)
    outline.title = title or outline.title
    if not outline.sections:
        raise ParseError("HTML has no readable text (only scripts, styles or markup)")
    return outline


def _html_outline(root) -> _Outline:
    """Walks the tree with an explicit stack: pages may nest deeper than Python recursion."""
    from bs4.element import NavigableString

    outline = _Outline()
    inline: list[str] = []

    def end_block() -> None:
        outline.add(" ".join("".join(inline).split()))
        inline.clear()

    stack = [(iter(root.children), False)]
    while stack:
        node = next(stack[-1][0], None)
        if node is None:
            if stack.pop()[1]:
                end_block()
        elif isinstance(node, NavigableString):
            inline.append(str(node))
        elif re.fullmatch(r"h[1-6]", node.name):
            end_block()
            outline.heading(int(node.name[1]), node.get_text(" "))
        elif node.name == "tr":
            end_block()
            cells = node.find_all(["td", "th"], recursive=False)
            outline.add(" | ".join(" ".join(cell.get_text(" ").split()) for cell in cells))
        else:
            block = node.name in _BLOCK_TAGS
            if block:
                end_block()
            stack.append((iter(node.children), block))
    end_block()
    return outline


def _hidden(tag) -> bool:
    return tag.has_attr("hidden") or bool(_HIDDEN_STYLE.search(str(tag.get("style", ""))))


# --- PDF ----------------------------------------------------------------------------


def _parse_pdf(data: bytes) -> _Outline:
    if b"%%EOF" not in data[-2048:]:
        raise ParseError("the PDF is incomplete (it has no end-of-file marker); it was probably truncated")
    pages, metadata_title = _read_pdf(data)
    if not any(text.strip() for lines in pages for text, _ in lines):
        raise ParseError("the PDF has no text layer (a scan?); OCR is not supported, upload a PDF with text")
    outline = _pdf_outline(pages)
    outline.title = outline.title if _placeholder_title(metadata_title) else metadata_title
    return outline


def _placeholder_title(title: str | None) -> bool:
    """What PDF tools write when nobody set a title; the first heading says more."""
    return not title or title.lower() in {"untitled", "(anonymous)"} or title.startswith("Microsoft Word - ")


_Line = tuple[str, float]  # the text of one line and its largest font size


def _read_pdf(data: bytes) -> tuple[list[list[_Line]], str | None]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still reads
            raise ParseError("the PDF is encrypted; upload an unprotected copy")
        if len(reader.pages) == 0:
            raise ParseError("the PDF has no pages")
        pages = [_pdf_lines(page) for page in reader.pages]
        title = reader.metadata.title if reader.metadata else None
    except ParseError:
        raise
    except (FileNotDecryptedError, DependencyError) as exc:
        raise ParseError("the PDF is encrypted; upload an unprotected copy") from exc
    except Exception as exc:  # pypdf fails in many ways on damaged files; each is a damaged PDF here
        raise ParseError(f"the PDF is damaged and cannot be read ({exc.__class__.__name__})") from exc
    return pages, (str(title).strip() or None) if title else None


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # what symbol fonts' bullets often extract as
_WORD = re.compile(r"\w")


@dataclass
class _PdfLine:
    text: str = ""
    size: float = 0.0  # the largest font size in the line
    x: float | None = None  # where its text starts
    y: float = 0.0


def _pdf_lines(page) -> list[_Line]:
    """The page's text lines with their font sizes (headings are set larger). pypdf gives
    each table cell its own line; cells at one height, left to right, become one row "a | b"."""
    lines: list[_PdfLine] = []
    current = _PdfLine()

    def end_line() -> None:
        nonlocal current
        previous = lines[-1] if lines else None
        if not current.text.strip():
            pass
        elif (
            previous and previous.x is not None and abs(previous.y - current.y) < 1 and current.x > previous.x
        ):
            previous.text = f"{previous.text.strip()} | {current.text.strip()}"
            previous.size, previous.x = max(previous.size, current.size), current.x
        else:
            lines.append(current)
        current = _PdfLine()

    def visit(fragment: str, cm, tm, font, font_size) -> None:
        scale = abs(tm[0] * tm[3] - tm[1] * tm[2]) ** 0.5 * abs(cm[0] * cm[3] - cm[1] * cm[2]) ** 0.5
        for n, piece in enumerate(fragment.split("\n")):
            if n:
                end_line()
            if piece.strip() and current.x is None:
                current.x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                current.y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            if piece.strip():
                current.size = max(current.size, font_size * scale)
            current.text += _CONTROL.sub("", piece)

    page.extract_text(visitor_text=visit)
    end_line()
    return [(line.text, line.size) for line in lines]


def _pdf_outline(pages: list[list[_Line]]) -> _Outline:
    """Short lines set larger than the body text are headings, the largest size being level 1;
    consecutive heading lines of one size are one wrapped heading, unless the next is numbered.
    Body lines between headings are reflowed into paragraphs. The heading path carries across
    pages, as a section does."""
    sizes = Counter(round(size) for lines in pages for text, size in lines for _ in text)
    body = sizes.most_common(1)[0][0] if sizes else 0

    def is_heading(text: str, size: float) -> bool:
        return body > 0 and round(size) >= body * 1.15 and len(text) <= 120 and bool(_WORD.search(text))

    levels = sorted({round(s) for lines in pages for text, s in lines if is_heading(text, s)}, reverse=True)
    outline = _Outline()
    for number, lines in enumerate(pages, 1):
        paragraph: list[str] = []
        heading, heading_size = "", None
        for text, size in lines:
            if not is_heading(text, size):
                paragraph.append(text)
                heading_size = None
                continue
            for line in _reflow(paragraph, widest_wrap=math.inf):
                outline.add(line, number)
            paragraph.clear()
            wrapped = heading_size == round(size) and not _LIST_OR_ROW.match(text)
            heading, heading_size = (f"{heading} {text}" if wrapped else text), round(size)
            outline.heading(levels.index(heading_size) + 1, heading)
        for line in _reflow(paragraph, widest_wrap=math.inf):
            outline.add(line, number)
    return outline


# --- DOCX ---------------------------------------------------------------------------

_RATIO_FLOOR = 1 << 20  # small XML parts compress very well without being bombs


def _check_zip(data: bytes, limits: ParseLimits) -> None:
    """Refuse a zip bomb from the sizes the archive declares, before anything is inflated.
    Python's zipfile never inflates a member past its declared size, so these are trustworthy."""
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()  # readable: _sniff_zip opened it
    total = sum(member.file_size for member in members)
    if total > limits.max_unzipped_bytes:
        raise ParseError(
            f"the Word document would expand to {_size(total)}, over the "
            f"{_size(limits.max_unzipped_bytes)} limit; it looks like a zip bomb"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise ParseError(
                f"the Word document's part {member.filename} is compressed {ratio:.0f} times "
                f"(the limit is {limits.max_compression_ratio}); it looks like a zip bomb"
            )


def _parse_docx(data: bytes) -> _Outline:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
        outline = _Outline()
        for child in document.element.body.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                paragraph = Paragraph(child, document)
                level = _heading_level(paragraph)
                if level is not None:
                    outline.heading(level, paragraph.text)
                else:
                    outline.add(paragraph.text)
            elif tag == "tbl":
                for row in Table(child, document).rows:
                    outline.add(" | ".join(_unique_cells(row)))
        title = document.core_properties.title
    except Exception as exc:  # python-docx and lxml raise many types on damaged parts
        raise ParseError(
            f"the Word document is damaged and cannot be read ({exc.__class__.__name__})"
        ) from exc
    outline.title = title.strip() if title and title.strip() else outline.title
    return outline


def _heading_level(paragraph) -> int | None:
    """Word's built-in Title and Heading N styles (whatever language the UI names them in)."""
    style = paragraph.style
    names = {style.name or "", style.style_id or ""} if style is not None else set()
    for name in names:
        if name.lower() == "title":
            return 0  # the document's own title, above its Heading 1
        found = re.fullmatch(r"(?:heading|标题)\s*(\d)", name, re.IGNORECASE)
        if found:
            return int(found.group(1))
    return None


def _unique_cells(row) -> list[str]:
    """python-docx repeats a merged cell once per grid column; keep it once."""
    cells: list[str] = []
    for cell in row.cells:
        text = " ".join(cell.text.split())
        if text and (not cells or cells[-1] != text):
            cells.append(text)
    return cells
