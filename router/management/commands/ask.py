import json
from dataclasses import asdict
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb_assistant.chat.citing import cited_only
from router.events import Meta
from router.pipeline import AskRequest, ask
from router.trace import Trace


class Command(BaseCommand):
    help = "Ask the assistant a question as USERNAME, through the whole hybrid pipeline."

    def add_arguments(self, parser):
        parser.add_argument("question")
        parser.add_argument("--user", required=True, help="username whose permissions apply")
        parser.add_argument("--json", action="store_true", help="print the answer and its trace as JSON")

    def handle(self, *args, question: str, user: str, json: bool, **options):
        person = get_user_model().objects.filter(username=user, is_active=True).first()
        if person is None:
            raise CommandError(f"no active user named {user!r}")
        trace, meta = ask(AskRequest(question=question, user=person, channel="cli"))
        if json:
            self.stdout.write(_json(trace, meta))
            return
        self.stdout.write(trace.answer)
        self.stdout.write(f"\n— route: {trace.route} ({'; '.join(trace.reason_texts)})")
        for citation in cited_only(meta.citations if meta else [], trace.answer):
            self.stdout.write(f"  [{citation['number']}] {citation['title']}")


def _json(trace: Trace, meta: Meta | None) -> str:
    """DESIGN.md's fields and more. `citations` are the sources the answer cites, as the chat
    page lists them; `sources_read` every passage the answer was given (the audit keeps those)."""
    read = [_citation(c) for c in (meta.citations if meta else [])]
    body = {
        "request_id": trace.request_id,
        "answer": trace.answer,
        "route": trace.route,
        "reasons": trace.reason_texts,
        "reason_codes": [str(code) for code in trace.reason_codes],
        "intent": trace.intent,
        "citations": cited_only(read, trace.answer),
        "sources_read": read,
        "cloud_payload": trace.cloud_payload,
        "tokens": asdict(trace.tokens),
        "cost_usd": asdict(trace.cost_usd),
        "latency_ms": trace.latency_ms,
        "compliance_actions": [a.__dict__ for a in trace.compliance_actions],
        "models": trace.models,
        "error": trace.error,
    }
    return json.dumps(body, ensure_ascii=False)


def _citation(citation: dict[str, Any]) -> dict[str, Any]:
    return {k: citation[k] for k in ("number", "document_id", "title", "chunk_id", "heading", "page")}
