"""Per-user daily cloud budget, kept in the database so every web process sees the same spend."""

from django.db.models import F
from django.utils import timezone

from router.config import RouterConfig
from router.records import CloudUsage


def cloud_spent_today(user) -> float:
    row = (
        CloudUsage.objects.filter(user=user, day=timezone.localdate())
        .values_list("cost_usd", flat=True)
        .first()
    )
    return row or 0.0


def cloud_budget_left(user, *, config: RouterConfig) -> float:
    return max(0.0, config.daily_cloud_budget_usd - cloud_spent_today(user))


def cloud_usage_record(*, user, cost: float) -> None:
    row, _ = CloudUsage.objects.get_or_create(user=user, day=timezone.localdate())
    CloudUsage.objects.filter(pk=row.pk).update(requests=F("requests") + 1, cost_usd=F("cost_usd") + cost)
