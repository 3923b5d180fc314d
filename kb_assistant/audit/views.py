"""The auditors' pages: thin views over the selectors, every one behind `auditor_only`."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from kb_assistant.accounts.roles import is_auditor
from kb_assistant.audit.dashboard import audit_dashboard
from kb_assistant.audit.display import event_rows, stage_detail, withheld_by_access
from kb_assistant.audit.export import export_csv, export_jsonl
from kb_assistant.audit.forms import AuditFilterForm
from kb_assistant.audit.models import AuditRecord
from kb_assistant.audit.selectors import (
    audit_feedback_for,
    audit_record_count,
    audit_record_filter,
    audit_record_get,
    audit_record_page,
)
from kb_assistant.labels import reason_rows
from kb_assistant.security import strict_csp

EXPORTS = {
    "csv": (export_csv, "text/csv; charset=utf-8"),
    "jsonl": (export_jsonl, "application/x-ndjson; charset=utf-8"),
}
DASHBOARD_DEFAULT_DAYS = 30


def auditor_only(view: Callable) -> Callable:
    """Anonymous visitors are sent to log in; anyone else who is not an auditor gets 403."""

    @login_required
    @strict_csp
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_auditor(request.user):
            raise PermissionDenied("auditors only")
        return view(request, *args, **kwargs)

    return wrapper


def _cursor(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@auditor_only
def record_list(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    records = audit_record_filter(filters=form.filters())
    page = audit_record_page(
        records=records, before=_cursor(request, "before"), after=_cursor(request, "after")
    )
    count, capped = audit_record_count(records=records)
    return render(
        request, "audit/list.html", {"form": form, "page": page, "count": count, "count_capped": capped}
    )


@auditor_only
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        record = audit_record_get(pk=pk)
    except AuditRecord.DoesNotExist as exc:
        raise Http404("no such audit record") from exc
    feedback = audit_feedback_for(request_ids=[record.request_id]).get(record.request_id, [])
    trace = record.detail if record.kind == "request" else None
    context = {
        "record": record,
        "trace": trace,
        "reasons": reason_rows(trace) if trace else [],
        "withheld": withheld_by_access(trace) if trace else None,
        "stages": [
            {**s, "detail_text": stage_detail(s.get("detail") or {})} for s in (trace or {}).get("stages", [])
        ],
        "event_rows": [] if trace else event_rows(record.detail),
        "documents": record.documents.order_by("document_id"),
        "feedback": feedback,
    }
    return render(request, "audit/detail.html", context)


@auditor_only
def record_export(request: HttpRequest) -> HttpResponse:
    chosen = EXPORTS.get(request.GET.get("format", ""))
    if chosen is None:
        return HttpResponseBadRequest("format must be csv or jsonl")
    export, content_type = chosen
    records = audit_record_filter(filters=AuditFilterForm(request.GET).filters())
    response = StreamingHttpResponse(export(records=records), content_type=content_type)
    name = f"audit-{timezone.now():%Y%m%d-%H%M%S}.{request.GET['format']}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@auditor_only
def dashboard(request: HttpRequest) -> HttpResponse:
    form = AuditFilterForm(request.GET)
    today = timezone.localdate()
    filters = form.filters(default_from=today - timedelta(days=DASHBOARD_DEFAULT_DAYS - 1))
    stats = audit_dashboard(
        records=audit_record_filter(filters=filters),
        date_from=filters.date_from,
        date_to=filters.date_to or today,
    )
    return render(request, "audit/dashboard.html", {"form": form, "stats": stats})
