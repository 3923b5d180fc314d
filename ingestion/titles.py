"""Real titles for documents indexed before ingestion kept the parser's title: they still
show their file's name ("leave-and-hr-policy"). Their stored originals are parsed again —
parse only, no chunking or embedding — and the title found goes on the row and on each of
their chunks, which carry it into citations.

`make run` calls it on every start (`manage.py refresh_titles`); a document that has its
title is skipped, so it does its work once. Parsing skips OCR to stay quick: a scan whose
only title would come from recognising it, and any file that no longer parses, keep the
name they have.
"""

import dataclasses
import logging
from pathlib import PurePath

from ingestion.config import ingestion_config
from ingestion.models import Document, Status
from ingestion.parse import ParseError, ParseLimits, parse_document
from ingestion.store import index_set_title

logger = logging.getLogger(__name__)
TITLE_MAX_CHARS = Document._meta.get_field("title").max_length


def document_titles_refresh() -> list[int]:
    """Give each indexed document still named after its file the title its parser finds;
    the ids of those retitled. Raises IndexUnavailable when the index is down (rows untouched)."""
    limits = dataclasses.replace(ingestion_config().parse_limits, ocr_enabled=False)
    indexed = Document.objects.filter(status=Status.INDEXED).only("title", "original_name", "file", "version")
    named_by_file = [d for d in indexed if d.title == PurePath(d.original_name).stem]
    return [document.pk for document in named_by_file if _retitle(document, limits)]


def _retitle(document: Document, limits: ParseLimits) -> bool:
    title = _parsed_title(document, limits)
    if not title or title == document.title:
        return False
    index_set_title(document_id=document.pk, title=title)  # first: a failure leaves the row to retry
    # Unless a new version or an admin's rename came meanwhile: theirs wins.
    unchanged = Document.objects.filter(pk=document.pk, version=document.version, title=document.title)
    return unchanged.update(title=title) == 1


def _parsed_title(document: Document, limits: ParseLimits) -> str:
    try:
        with document.file.open("rb") as handle:
            parsed = parse_document(handle.read(), document.original_name, limits=limits)
    except (ParseError, OSError, ValueError) as exc:  # a missing file is ValueError
        logger.info("document %s keeps its title: %s", document.pk, exc)
        return ""
    return (parsed.title or "").strip()[:TITLE_MAX_CHARS]
