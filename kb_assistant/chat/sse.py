"""Server-Sent Events over a streaming response (gunicorn's gthread workers keep one
thread per stream). Used by the chat page and by the OpenAI-compatible stream."""

import json
from collections.abc import Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse


def sse_event(data: dict | str, *, event: str | None = None) -> bytes:
    """One event; JSON has no raw newlines, so the data always fits on one `data:` line."""
    payload = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, cls=DjangoJSONEncoder)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()


def sse_response(events: Iterable[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(events, content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # a reverse proxy must pass each event on as it comes
    return response
