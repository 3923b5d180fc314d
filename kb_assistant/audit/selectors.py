"""Reading the audit log for review: filtering, keyset pages, one record, batches for export.

Pages are keyed on `seq` (newest first) instead of offsets, so page 2,000 costs what page 1
does; the total is counted only up to COUNT_CAP, which keeps a broad filter cheap.
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from kb_assistant.audit.models import AuditDocument, AuditRecord, Feedback

PAGE_SIZE = 50
COUNT_CAP = 10_000
LIST_COLUMNS = (
    "seq",
    "created_at",
    "kind",
    "channel",
    "username",
    "request_id",
    "question",
    "intent",
    "route",
    "has_cloud_payload",
    "compliance_kinds",
    "cloud_in_tokens",
    "cloud_out_tokens",
    "cost_usd",
    "total_ms",
    "failed",
)


@dataclass(frozen=True)
class AuditFilters:
    user: str = ""
    date_from: date | None = None
    date_to: date | None = None
    kind: str = ""
    intent: str = ""
    route: str = ""
    cloud: str = ""  # "yes", "no" or "" for either
    compliance: str = ""  # "any", "none", one action kind, or ""
    document: int | None = None
    request_id: str = ""


@dataclass(frozen=True)
class RecordPage:
    records: list[AuditRecord]
    newer: int | None  # cursor for the page of newer records (`after`), None on the first page
    older: int | None  # cursor for the page of older records (`before`), None on the last page


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _compliance_q(kind: str) -> Q:
    """One kind inside the sorted, comma-separated list, without matching a longer name."""
    return (
        Q(compliance_kinds=kind)
        | Q(compliance_kinds__startswith=f"{kind},")
        | Q(compliance_kinds__endswith=f",{kind}")
        | Q(compliance_kinds__contains=f",{kind},")
    )


def audit_record_filter(*, filters: AuditFilters) -> QuerySet[AuditRecord]:
    records = AuditRecord.objects.all()
    exact = {
        "username": filters.user,
        "kind": filters.kind,
        "intent": filters.intent,
        "route": filters.route,
        "request_id": filters.request_id,
    }
    records = records.filter(**{field: value for field, value in exact.items() if value})
    if filters.date_from:
        records = records.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        records = records.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.cloud:
        records = records.filter(has_cloud_payload=filters.cloud == "yes")
    if filters.compliance == "any":
        records = records.exclude(compliance_kinds="")
    elif filters.compliance == "none":
        records = records.filter(compliance_kinds="")
    elif filters.compliance:
        records = records.filter(_compliance_q(filters.compliance))
    if filters.document:
        records = records.filter(
            pk__in=AuditDocument.objects.filter(document_id=filters.document).values("record_id")
        )
    return records


def audit_record_page(
    *,
    records: QuerySet[AuditRecord],
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> RecordPage:
    """One page, newest first. `before` pages towards older records, `after` towards newer."""
    # The documents name what an upload, delete or permission change was about: one query a page.
    columns = records.only(*LIST_COLUMNS).prefetch_related("documents")
    if after is not None:
        rows = list(columns.filter(seq__gt=after).order_by("seq")[: size + 1])
        more_newer, rows = len(rows) > size, rows[:size][::-1]
        return RecordPage(rows, rows[0].seq if rows and more_newer else None, rows[-1].seq if rows else None)
    if before is not None:
        columns = columns.filter(seq__lt=before)
    rows = list(columns.order_by("-seq")[: size + 1])
    more_older, rows = len(rows) > size, rows[:size]
    newer = rows[0].seq if rows and before is not None else None
    return RecordPage(rows, newer, rows[-1].seq if rows and more_older else None)


def audit_record_count(*, records: QuerySet[AuditRecord]) -> tuple[int, bool]:
    """How many match, counted up to COUNT_CAP; the flag says the cap was reached."""
    count = records.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def audit_record_get(*, pk: int) -> AuditRecord:
    return AuditRecord.objects.get(pk=pk)


def audit_feedback_for(*, request_ids: list[str]) -> dict[str, list[Feedback]]:
    found: dict[str, list[Feedback]] = defaultdict(list)
    wanted = [request_id for request_id in request_ids if request_id]
    for item in Feedback.objects.filter(request_id__in=wanted).order_by("created_at"):
        found[item.request_id].append(item)
    return found


def audit_record_batches(
    *, records: QuerySet[AuditRecord], batch: int = 1000
) -> Iterator[tuple[list[AuditRecord], dict[str, list[Feedback]]]]:
    """The whole filtered set, newest first, in keyset batches with their feedback: memory
    stays flat and no cursor is held open while a slow client reads the export."""
    cursor: int | None = None
    while True:
        page = records.order_by("-seq")
        if cursor is not None:
            page = page.filter(seq__lt=cursor)
        rows = list(page[:batch])
        if not rows:
            return
        yield rows, audit_feedback_for(request_ids=[r.request_id for r in rows])
        cursor = rows[-1].seq


def audit_intents() -> list[str]:
    return list(
        AuditRecord.objects.exclude(intent="").order_by("intent").values_list("intent", flat=True).distinct()
    )


def audit_compliance_kinds() -> list[str]:
    combinations = (
        AuditRecord.objects.exclude(compliance_kinds="").order_by().values_list("compliance_kinds", flat=True)
    )
    return sorted({kind for combination in combinations.distinct() for kind in combination.split(",")})
