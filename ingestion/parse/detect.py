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
}
SUPPORTED_EXTENSIONS = frozenset(EXTENSION_TYPES)

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
