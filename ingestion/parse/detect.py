"""What the content really is, whatever its name claims: read from its first bytes (and a
zip's directory), never by running a parser."""

import io
import re
import zipfile
from pathlib import PurePath

from ingestion.parse.base import ParseError

EXTENSION_TYPES = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
    ".csv": "csv",
    ".tsv": "csv",
    ".xlsx": "xlsx",
    ".pptx": "pptx",
    ".eml": "eml",
    ".odt": "odt",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
}
SUPPORTED_EXTENSIONS = frozenset(EXTENSION_TYPES)

# Formats people do upload but that no sound offline parser reads: refused with what to do.
_RESAVE = "open it in Office or LibreOffice, save it as {new} and upload that"
LEGACY_REASONS = {
    ".doc": "old Word .doc files are not supported (no reliable offline reader); "
    + _RESAVE.format(new=".docx"),
    ".xls": "old Excel .xls files are not supported; " + _RESAVE.format(new=".xlsx"),
    ".ppt": "old PowerPoint .ppt files are not supported; " + _RESAVE.format(new=".pptx"),
    ".msg": "Outlook .msg files are not supported; save the message as .eml (or print it to PDF) and upload that",
    ".rtf": "RTF files are not supported; " + _RESAVE.format(new=".docx"),
}

_TEXT_TYPES = {"html", "markdown", "text", "csv", "eml"}
_OFFICE_TYPES = {
    "docx": "Word document",
    "xlsx": "Excel workbook",
    "pptx": "PowerPoint file",
    "odt": "OpenDocument text",
}
_HTML_START = re.compile(rb"\s*(<!doctype html|<html|<head|<body|<meta|<div|<p[ >]|<h[1-6])", re.IGNORECASE)
_OFFICE_ZIPS = {"word/document.xml": "docx", "xl/workbook.xml": "xlsx", "ppt/presentation.xml": "pptx"}
_ODF_MIMETYPES = {b"application/vnd.oasis.opendocument.text": "odt"}
_ODF_OTHER = "an OpenDocument file other than text (.odt)"
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
_BINARY_MAGIC = {
    b"MZ": "a Windows program",
    b"\x7fELF": "a Linux program",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7-Zip archive",
}
_OLE = b"\xd0\xcf\x11\xe0"  # old .doc/.xls/.ppt, and also what Office makes of a password-protected file
_OLE_DESCRIPTION = "an old-format or password-protected Office file"
_DAMAGED_ZIP = "a damaged zip archive"
PDF_HEADER = b"%PDF-"
PDF_HEADER_WINDOW = 1024  # readers accept "%PDF-" anywhere in the first kilobyte (a BOM, a mail header)


def detect_type(data: bytes, filename: str) -> str:
    """The type the content really has; refuses an unsupported extension, or one that claims
    a type the content does not have (a PDF renamed .docx, a program renamed .txt)."""
    extension = PurePath(filename).suffix.lower()
    claimed = EXTENSION_TYPES.get(extension)
    if claimed is None:
        raise ParseError(unsupported_type_reason(filename))
    sniffed = _sniff(data)
    if claimed in _OFFICE_TYPES and sniffed == _OLE_DESCRIPTION:
        old = {"docx": ".doc", "xlsx": ".xls", "pptx": ".ppt"}.get(claimed, "")
        raise ParseError(
            f"the {_OFFICE_TYPES[claimed]} is password-protected or in the old {old or 'binary'} format; "
            f"save it as an unprotected {extension} and upload it again"
        )
    if claimed in _OFFICE_TYPES and sniffed == _DAMAGED_ZIP:
        raise ParseError(f"the {_OFFICE_TYPES[claimed]} is damaged (its zip structure cannot be read)")
    if sniffed == claimed or (claimed in _TEXT_TYPES and sniffed in _TEXT_TYPES):
        return claimed  # HTML inside .md or .txt is still that document's text
    raise ParseError(
        f"the file is named {extension} but its content is {_describe(sniffed)}; "
        "upload it with its real extension"
    )


def unsupported_type_reason(filename: str) -> str:
    """Why a file of this name is refused before anything is read (empty if it is supported)."""
    extension = PurePath(filename).suffix.lower()
    if extension in EXTENSION_TYPES:
        return ""
    if extension in LEGACY_REASONS:
        return LEGACY_REASONS[extension]
    supported = ", ".join(sorted(SUPPORTED_EXTENSIONS))
    return f"unsupported file type {extension or '(no extension)'}; supported: {supported}"


def pdf_start(data: bytes) -> int:
    """Where the PDF header is, or -1: it may follow stray bytes, as in readers, if it
    begins within the first PDF_HEADER_WINDOW bytes."""
    return data.find(PDF_HEADER, 0, PDF_HEADER_WINDOW + len(PDF_HEADER) - 1)


def _sniff(data: bytes) -> str:
    head = data[:2048]
    if pdf_start(head) >= 0 and not head.startswith(b"PK\x03\x04"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    if head.startswith(_OLE):
        return _OLE_DESCRIPTION
    if head.startswith(_IMAGE_MAGIC):
        return "image"
    for magic, description in _BINARY_MAGIC.items():
        if head.startswith(magic):
            return description
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")) and not _utf16_pattern(head):
        return "a binary file"
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "html"
    return "text"


def _utf16_pattern(head: bytes) -> bool:
    """Mostly-Latin UTF-16 without a BOM: zeros in every other byte, on one side only."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    half = len(head) / 2
    return len(head) >= 4 and ((odd > 0.3 * half and even == 0) or (even > 0.3 * half and odd == 0))


def _sniff_zip(data: bytes) -> str:
    """Reads the zip's directory (and an OpenDocument's few-byte mimetype): nothing else is
    decompressed here."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
            mimetype = archive.read("mimetype").strip()
            if mimetype.startswith(b"application/vnd.oasis.opendocument"):
                return _ODF_MIMETYPES.get(mimetype, _ODF_OTHER)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError):
        return _DAMAGED_ZIP
    return next((kind for part, kind in _OFFICE_ZIPS.items() if part in names), "a zip archive")


def _describe(kind: str) -> str:
    names = {"pdf": "a PDF", "html": "HTML", "markdown": "Markdown", "image": "a PNG or JPEG image"}
    names |= {kind: f"a {name}" for kind, name in _OFFICE_TYPES.items()}
    names["xlsx"], names["odt"] = "an Excel workbook", "an OpenDocument text"
    return names.get(kind, "plain text" if kind == "text" else kind)
