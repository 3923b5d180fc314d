"""E-mail (.eml): subject as the title, who wrote to whom and when, then the body (its
plain-text part, or its HTML part read like a page). Attachments are not read: they are
listed by name, to be uploaded as documents of their own. The standard library's `email`."""

import email
import re
from email import policy
from email.message import EmailMessage

from ingestion.parse.base import CELL_SEPARATOR, Outline, ParseError
from ingestion.parse.encoding import decode_text
from ingestion.parse.html import parse_html
from ingestion.parse.reflow import reflow

_ADDRESS_HEADERS = ("From", "To", "Cc", "Date")


def parse_eml(data: bytes) -> Outline:
    try:
        message = email.message_from_bytes(data, policy=policy.default)
        headers = {
            name: " ".join(str(message.get(name, "")).split()) for name in (*_ADDRESS_HEADERS, "Subject")
        }
        if not any(headers.values()):
            raise ParseError(
                "the file has no e-mail headers (From, To, Date, Subject); it is not an e-mail message"
            )
        body = _body(message)
        attachments = [_describe(part) for part in message.iter_attachments()]
    except ParseError:
        raise
    except Exception as exc:  # malformed MIME makes the email package raise many types
        raise ParseError(f"the e-mail cannot be read ({exc.__class__.__name__})") from exc
    subject = headers["Subject"] or "(no subject)"
    outline = Outline()
    outline.heading(1, subject)
    outline.add(CELL_SEPARATOR.join(f"{name}: {headers[name]}" for name in _ADDRESS_HEADERS if headers[name]))
    for paragraph in body:
        outline.add(paragraph)
    if attachments:
        if not body:
            raise ParseError(
                f"the e-mail has no text of its own, and its attachments are not read ({', '.join(attachments)}); "
                "upload them as documents of their own"
            )
        outline.add(f"Attachments, not indexed with the message: {', '.join(attachments)}")
    outline.title = subject
    return outline


def _body(message: EmailMessage) -> list[str]:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return []
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong declared charset: detect it instead
        payload = part.get_payload(decode=True)
        content = decode_text(payload if isinstance(payload, bytes) else b"").text
    if part.get_content_subtype() == "html":
        try:
            return [section.text for section in parse_html(content.encode("utf-8")).sections]
        except ParseError:  # a body of only markup: the message may still have headers and attachments
            return []
    return [line for block in re.split(r"\n\s*\n", content) for line in reflow(block.splitlines())]


def _describe(part) -> str:
    name = part.get_filename() or "unnamed"
    return f"{name} ({part.get_content_type()})"
