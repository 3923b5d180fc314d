"""The auditors' dashboard: aggregates over the filtered request records, shaped for charts.

Counts and sums run in the database, grouped by day; latency percentiles are computed here
from the small per-stage column, because SQLite has no percentile function.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from kb_assistant.audit.charts import BarChart, ColumnChart, bars, columns
from kb_assistant.audit.models import AuditDocument, AuditRecord
from kb_assistant.labels import label, texts

ROUTES = ("local", "cloud", "fallback")
STAGE_ORDER = ("resolve", "intent", "retrieve", "condense", "protect", "route", "generate", "postprocess")
PERCENTILES = (50, 95, 99)
MAX_COLUMNS = 60
TOP_DOCUMENTS = 10
# Percentiles come from the newest requests of the period, at most this many: parsing every
# per-stage record of a long period would make the page slow, and this many samples pin
# p99 down well enough.
LATENCY_SAMPLE = 20_000


@dataclass(frozen=True)
class Savings:
    """Against plain RAG, over the requests made while a cloud was configured: offline, no
    passage could have gone to a cloud, so nothing was saved by keeping it local."""

    requests: int  # those made while a cloud was configured
    offline_requests: int
    cloud_tokens_sent: int
    plain_rag_tokens: int
    cost_usd: float
    plain_rag_cost_usd: float

    @property
    def all_requests(self) -> int:
        return self.requests + self.offline_requests

    @property
    def tokens_saved(self) -> int:
        return self.plain_rag_tokens - self.cloud_tokens_sent

    @property
    def money_saved_usd(self) -> float:
        return self.plain_rag_cost_usd - self.cost_usd

    @property
    def tokens_saved_pct(self) -> float:
        return 100 * self.tokens_saved / self.plain_rag_tokens if self.plain_rag_tokens else 0.0


@dataclass(frozen=True)
class StageLatency:
    stage: str
    samples: int
    percentiles: dict[str, float]


@dataclass(frozen=True)
class Dashboard:
    date_from: date
    date_to: date
    bucket_days: int
    routes: ColumnChart
    route_totals: dict[str, int]
    tokens: ColumnChart
    savings: Savings
    latency: BarChart
    latency_table: list[StageLatency]
    latency_sample: int
    compliance: BarChart
    documents: BarChart
    incidents: ColumnChart
    fallbacks: int
    breaker_open: int


def _percentile(sorted_values: list[float], p: int) -> float:
    """Nearest rank: an actual observed latency, not an interpolation."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return round(sorted_values[rank - 1], 1)


def _buckets(date_from: date, date_to: date) -> tuple[list[date], int]:
    days = (date_to - date_from).days + 1
    size = max(1, math.ceil(days / MAX_COLUMNS))
    return [date_from + timedelta(days=i) for i in range(0, days, size)], size


def _by_bucket(rows, *, starts: list[date], size: int, value_fields: tuple[str, ...], key=None) -> dict:
    """Sum per-day rows into the chart's buckets: {key: {field: [value per bucket]}}."""
    first = starts[0]
    out: dict = defaultdict(lambda: {name: [0.0] * len(starts) for name in value_fields})
    for row in rows:
        index = (row["day"] - first).days // size
        if 0 <= index < len(starts):
            for name in value_fields:
                out[row[key] if key else ""][name][index] += row[name] or 0
    return out


def _latency(requests: QuerySet[AuditRecord]) -> list[StageLatency]:
    samples: dict[str, list[float]] = defaultdict(list)
    newest = requests.order_by("-seq").values_list("latency_ms", "total_ms")[:LATENCY_SAMPLE]
    for by_stage, total in newest.iterator(chunk_size=5000):
        for stage, ms in (by_stage or {}).items():
            samples[stage].append(ms)
        samples["total"].append(total)
    ordered = [s for s in STAGE_ORDER if s in samples] + sorted(set(samples) - {*STAGE_ORDER, "total"})
    result = []
    for stage in [*ordered, "total"] if samples["total"] else ordered:
        values = sorted(samples[stage])
        result.append(
            StageLatency(stage, len(values), {f"p{p}": _percentile(values, p) for p in PERCENTILES})
        )
    return result


def _summed(per_route: dict, name: str, *, width: int) -> list[float]:
    """One series across all routes, bucket by bucket."""
    return [sum(values[name][i] for values in per_route.values()) for i in range(width)]


def audit_dashboard(*, records: QuerySet[AuditRecord], date_from: date, date_to: date) -> Dashboard:
    requests = records.filter(kind="request")
    starts, size = _buckets(date_from, date_to)
    labels = [f"{d:%m-%d}" for d in starts]
    # One grouped pass over the period: SQLite computes the day with a Python function per
    # row, so every further grouped query would pay for that pass again.
    per_route = _by_bucket(
        requests.order_by()
        .annotate(day=TruncDate("created_at"))
        .values("day", "route")
        .annotate(
            n=Count("id"),
            sent=Sum("cloud_in_tokens"),
            plain=Sum("plain_rag_tokens", filter=Q(offline=False)),
            breaker=Count("id", filter=Q(breaker_open=True)),
        ),
        starts=starts,
        size=size,
        value_fields=("n", "sent", "plain", "breaker"),
        key="route",
    )
    route_series = {route: per_route[route]["n"] for route in ROUTES}
    breaker = _summed(per_route, "breaker", width=len(starts))
    online = Q(offline=False)
    totals = requests.aggregate(
        n=Count("id", filter=online),
        offline_n=Count("id", filter=~online),
        sent=Sum("cloud_in_tokens"),
        plain=Sum("plain_rag_tokens", filter=online),
        cost=Sum("cost_usd"),
        plain_cost=Sum("plain_rag_cost_usd", filter=online),
    )
    savings = Savings(
        totals["n"],
        totals["offline_n"],
        totals["sent"] or 0,
        totals["plain"] or 0,
        totals["cost"] or 0.0,
        totals["plain_cost"] or 0.0,
    )
    latency = _latency(requests)
    compliance = Counter()
    for kinds, n in (
        requests.exclude(compliance_kinds="")
        .order_by()
        .values_list("compliance_kinds")
        .annotate(n=Count("id"))
    ):
        for kind in kinds.split(","):
            compliance[kind] += n
    cited = (
        AuditDocument.objects.filter(cited=True, record__in=requests.order_by().values("pk"))
        .values("document_id")
        .annotate(n=Count("id"), title=Max("title"))
        .order_by("-n", "document_id")[:TOP_DOCUMENTS]
    )

    series = texts("series")
    return Dashboard(
        date_from=date_from,
        date_to=date_to,
        bucket_days=size,
        routes=columns(labels=labels, series=route_series, texts=series),
        route_totals={route: int(sum(values)) for route, values in route_series.items()},
        tokens=columns(
            labels=labels,
            series={
                "cloud tokens sent": _summed(per_route, "sent", width=len(starts)),
                "plain RAG tokens": _summed(per_route, "plain", width=len(starts)),
            },
            stacked=False,
            texts=series,
        ),
        savings=savings,
        latency=bars(rows=[(label("stage", row.stage), row.percentiles) for row in latency], unit=" ms"),
        latency_table=latency,
        latency_sample=LATENCY_SAMPLE,
        compliance=bars(
            rows=[(label("compliance", kind), {"requests": n}) for kind, n in compliance.most_common()],
            texts=series,
        ),
        documents=bars(
            rows=[(f"#{row['document_id']} {row['title']}", {"citations": row["n"]}) for row in cited],
            texts=series,
        ),
        incidents=columns(
            labels=labels,
            series={"fallbacks": route_series["fallback"], "breaker open": breaker},
            stacked=False,
            texts=series,
        ),
        fallbacks=int(sum(route_series["fallback"])),
        breaker_open=int(sum(breaker)),
    )
