"""The assistant as an OpenAI-compatible API: `POST /v1/chat/completions` (streamed or not)
and `GET /v1/models`, for any OpenAI client.

Same pipeline as the chat page (channel "api"): same permissions, routing, protection and
audit. The route and citations travel in an extra top-level `kb` field that standard
clients ignore: `citations` are the sources the answer cites, as the chat page lists them
(kb_assistant/chat/citing.py), `sources_read` every passage it was given, numbered as its [n]
marks count them. A stream sends `sources_read` first and `citations` with its last chunk,
once the answer is known. Sampling parameters (temperature, max_tokens…) are accepted and
ignored: the router decides how and where an answer is generated. Clients' system messages are
ignored too: they would otherwise reach the cloud unreviewed. Answers follow the chat page's
link policy (`links.py`): clients render markdown, and an image to another host would be
fetched with whatever its URL carries.
"""

import json
import time
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from kb_assistant.accounts.authentication import TokenRefused, token_user
from kb_assistant.chat.citing import cited_only
from kb_assistant.chat.history import Turn, history_window
from kb_assistant.chat.links import StreamLinkFilter, link_policy
from kb_assistant.chat.services import QUESTION_MAX_CHARS
from kb_assistant.chat.sse import sse_event, sse_response
from kb_assistant.shedding import AnswerSlot, HeldStream, answer_slot
from router import pipeline
from router.budget import DailyBudget
from router.config import router_config
from router.cost import estimate_tokens
from router.errors import OverBudget
from router.events import Delta, Done, Event, Failed, Meta, Notice
from router.trace import Trace

MODEL_ID = "hybrid-kb"
MODEL_CREATED = 1795564800  # 2026-11-25, when this API first served the model
HISTORY_ROLES = {"user", "assistant"}
IGNORED_ROLES = {"system", "developer"}
KB_FIELDS = ("request_id", "route", "reasons", "intent")


class ApiError(Exception):
    """An error in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",  # OpenAI's field name
        param: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.type, self.param, self.code = status, type, param, code

    def body(self) -> dict[str, Any]:
        return {"error": {"message": str(self), "type": self.type, "param": self.param, "code": self.code}}

    def response(self) -> JsonResponse:
        response = JsonResponse(self.body(), status=self.status)
        if self.status == 401:
            response["WWW-Authenticate"] = "Bearer"
        if self.status == 503:
            response["Retry-After"] = str(settings.WEB_RETRY_AFTER_SECONDS)  # the SDK waits, then retries
        if self.status == 429:
            response["x-should-retry"] = "false"  # the budget resets tomorrow; SDK retries cannot help
        return response


@dataclass(frozen=True)
class CompletionRequest:
    question: str
    history: list[Turn]
    stream: bool
    include_usage: bool


@csrf_exempt
def chat_completions(request: HttpRequest) -> HttpResponse:
    try:
        _require_method(request, "POST")
        user = _token_user(request)
        completion = completion_request_parse(request.body)
        _require_budget(user)
        ask = pipeline.AskRequest(
            question=completion.question, user=user, channel="api", history=completion.history
        )
        events = pipeline.run(ask)  # lazy: nothing runs before the slot is taken
        slot = _answer_slot()
    except ApiError as error:
        return error.response()
    if completion.stream:
        return sse_response(HeldStream(_stream(events, include_usage=completion.include_usage), slot))
    try:
        return _complete(events)
    finally:
        slot.release()


@csrf_exempt
def models(request: HttpRequest) -> HttpResponse:
    try:
        _require_method(request, "GET")
        _token_user(request)
    except ApiError as error:
        return error.response()
    model = {"id": MODEL_ID, "object": "model", "created": MODEL_CREATED, "owned_by": "kb-assistant"}
    return JsonResponse({"object": "list", "data": [model]})


def _require_method(request: HttpRequest, method: str) -> None:
    if request.method != method:
        raise ApiError(405, f"Use {method} for {request.path}.")


def _token_user(request: HttpRequest):
    """Token authentication only: a browser session never authorises an API call."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        raise ApiError(401, "Missing API key: send `Authorization: Bearer kb_…`.", code="invalid_api_key")
    try:
        return token_user(raw.strip())
    except TokenRefused as exc:
        raise ApiError(401, str(exc), code="invalid_api_key") from exc


def _require_budget(user) -> None:
    if not settings.API_STRICT_BUDGET:
        return
    try:
        DailyBudget(daily_usd=router_config().daily_cloud_budget_usd).ensure_left(user)
    except OverBudget as exc:
        raise ApiError(
            429,
            "You have spent your daily cloud budget; try again tomorrow.",
            type="insufficient_quota",
            code="insufficient_quota",
        ) from exc


def _answer_slot() -> AnswerSlot:
    slot = answer_slot()
    if slot is None:
        raise ApiError(
            503,
            "Too many answers are being written right now; retry in a moment.",
            type="server_error",
            code="overloaded",
        )
    return slot


def completion_request_parse(body: bytes) -> CompletionRequest:
    """Validate a chat.completions body; the last message is the question, earlier user and
    assistant turns become the (de-identified, windowed) history."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "The request body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    model = data.get("model", MODEL_ID)
    if model != MODEL_ID:
        raise ApiError(404, f"The model `{model}` does not exist; use `{MODEL_ID}`.", param="model", code="model_not_found")  # fmt: skip
    stream = data.get("stream", False)
    if not isinstance(stream, bool):
        raise ApiError(400, "`stream` must be a boolean.", param="stream")
    options = data.get("stream_options") or {}
    if not isinstance(options, dict):
        raise ApiError(400, "`stream_options` must be an object.", param="stream_options")
    turns = _turns(data.get("messages"))
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise ApiError(400, "The last message must be a non-empty user message.", param="messages")
    question = turns[-1][1].strip()
    if len(question) > QUESTION_MAX_CHARS:
        raise ApiError(400, f"The question is over {QUESTION_MAX_CHARS} characters.", param="messages")
    return CompletionRequest(
        question=question,
        history=history_window(turns[:-1]),
        stream=stream,
        include_usage=bool(options.get("include_usage")),
    )


def _turns(messages: Any) -> list[Turn]:
    if not isinstance(messages, list) or not messages:
        raise ApiError(400, "`messages` must be a non-empty array.", param="messages")
    turns = []
    for index, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if role not in HISTORY_ROLES | IGNORED_ROLES:
            raise ApiError(400, f"messages[{index}].role must be one of system, developer, user, assistant.", param=f"messages[{index}].role")  # fmt: skip
        text = _text(message.get("content"), index)
        if role in HISTORY_ROLES:
            turns.append((role, text))
    return turns


def _text(content: Any, index: int) -> str:
    """A string, or an array of text parts (images and audio are not supported)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
        isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in content
    ):
        return "\n".join(part["text"] for part in content)
    if content is None:
        return ""
    raise ApiError(400, f"messages[{index}].content must be a string or text parts.", param=f"messages[{index}].content")  # fmt: skip


def _complete(events: Iterator[Event]) -> JsonResponse:
    trace, meta = pipeline.finished(events)
    if trace.error and not trace.answer:
        error = ApiError(500, "The assistant could not answer; the request was logged.", type="server_error")
        return error.response()
    message = {"role": "assistant", "content": link_policy().apply(trace.answer)}
    return JsonResponse(
        {
            "id": f"chatcmpl-{trace.request_id}",
            "object": "chat.completion",
            "created": int(trace.started_at),
            "model": MODEL_ID,
            "choices": [{"index": 0, "message": message, "finish_reason": "stop", "logprobs": None}],
            "usage": _usage(trace),
            # The final route and reasons: a cloud failure may have turned it into a fallback.
            "kb": {**_kb(meta), **_kb_end(trace, meta)},
        },
        json_dumps_params={"ensure_ascii": False},
    )


def _stream(events: Generator[Event, None, None], *, include_usage: bool) -> Iterator[bytes]:
    """chat.completion.chunk events, then `[DONE]`. The first chunk carries `kb`; closing
    this generator (client gone) closes the pipeline, which still audits."""
    head: dict[str, Any] = {"object": "chat.completion.chunk", "created": int(time.time()), "model": MODEL_ID}
    links = StreamLinkFilter(link_policy())
    meta: Meta | None = None
    with closing(events):
        for event in events:
            match event:
                case Meta():
                    meta = event
                    head["id"] = f"chatcmpl-{event.request_id}"
                    yield _chunk(head, {"role": "assistant", "content": ""}, kb=_kb(event))
                case Delta():
                    if text := links.feed(event.text):
                        yield _chunk(head, {"content": text})
                case Notice():
                    yield _chunk(head, {}, kb={"notice": event.text})
                case Failed():
                    yield sse_event({"error": {"message": event.message, "type": "server_error", "param": None, "code": None}})  # fmt: skip
                    return
                case Done(trace=trace):
                    if text := links.flush():
                        yield _chunk(head, {"content": text})
                    yield _chunk(
                        head,
                        {},
                        finish_reason="stop",
                        kb=_kb_end(trace, meta),
                    )
                    if include_usage:
                        yield sse_event({**head, "choices": [], "usage": _usage(trace)})
    yield sse_event("[DONE]")


def _chunk(head: dict, delta: dict, *, finish_reason: str | None = None, kb: dict | None = None) -> bytes:
    chunk = {
        **head,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
    }
    if kb is not None:
        chunk["kb"] = kb
    return sse_event(chunk)


def _usage(trace: Trace) -> dict[str, int]:
    """Tokens read and written by whichever model answered (the cloud's own count when it did)."""
    prompt = trace.tokens.cloud_in or trace.tokens.condensed_context
    completion = trace.tokens.cloud_out or estimate_tokens(trace.answer)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _kb(meta: Meta | None) -> dict[str, Any]:
    """The extra `kb` field, from the pipeline's Meta event."""
    if meta is None:
        return {}
    return {**{key: getattr(meta, key) for key in KB_FIELDS}, "sources_read": meta.citations}


def _kb_end(trace: Trace, meta: Meta | None) -> dict[str, Any]:
    """What only the whole answer tells: the final route and reasons (a cloud failure may have
    turned it into a fallback) and the sources it cites."""
    return {
        "route": trace.route,
        "reasons": trace.reason_texts,
        "citations": cited_only(meta.citations if meta else [], trace.answer),
    }
