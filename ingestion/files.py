"""The original file of a document, for download and for an in-page preview.

A preview is served so that the file cannot act on the page: text-like formats (HTML
included) as plain text, PDFs and images as themselves, all under a sandboxing policy
and with no type sniffing. Other formats (Office files) have no preview; their text is
on the document page as chunks. PDFs are shown by the browser's own viewer.
"""

import mimetypes
from pathlib import PurePath

from django.http import FileResponse

from ingestion.models import Document
from ingestion.parse.detect import EXTENSION_TYPES

_TEXT_TYPES = frozenset({"text", "markdown", "csv", "html", "eml"})
_IMAGES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# PDFs are left out of the sandbox, which would stop the browser's own viewer.
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'"
PDF_POLICY = "default-src 'none'; object-src 'self'"


def preview_kind(document: Document) -> str:
    """ "pdf", "image" or "text" when the browser can show the file safely, else ""."""
    kind = document.detected_type or _type_by_name(document.original_name)
    if kind in _TEXT_TYPES:
        return "text"
    if kind == "image" and PurePath(document.original_name).suffix.lower() in _IMAGES:
        return "image"
    return kind if kind == "pdf" else ""


def _type_by_name(name: str) -> str:
    return EXTENSION_TYPES.get(PurePath(name).suffix.lower(), "")


def document_file_response(*, document: Document, inline: bool) -> FileResponse:
    """The stored file, as an attachment, or for the preview when it has one."""
    kind = preview_kind(document) if inline else ""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=not kind,
        filename=document.original_name,
        content_type=_content_type(document, kind),
    )
    response["X-Content-Type-Options"] = "nosniff"
    if kind:
        response["Content-Security-Policy"] = PDF_POLICY if kind == "pdf" else PREVIEW_POLICY
    return response


def _content_type(document: Document, kind: str) -> str:
    if kind == "text":
        return f"text/plain; charset={document.detected_encoding or 'utf-8'}"
    if kind == "pdf":
        return "application/pdf"
    if kind == "image":
        return _IMAGES[PurePath(document.original_name).suffix.lower()]
    return mimetypes.guess_type(document.original_name)[0] or "application/octet-stream"
