"""Per-user daily cloud budget, kept in the database so every web process sees the same spend."""

from django.db.models import F
from django.utils import timezone

from router.errors import OverBudget
from router.records import CloudUsage


class DailyBudget:
    def __init__(self, *, daily_usd: float) -> None:
        self._daily_usd = daily_usd

    def left(self, user) -> float:
        return max(0.0, self._daily_usd - _spent_today(user))

    def ensure_left(self, user) -> None:
        """For callers that refuse rather than answer locally (the API's strict mode)."""
        if self.left(user) <= 0:
            raise OverBudget(f"the daily cloud budget of ${self._daily_usd:.2f} is spent")

    def spend(self, user, cost_usd: float) -> None:
        row, _ = CloudUsage.objects.get_or_create(user=user, day=timezone.localdate())
        CloudUsage.objects.filter(pk=row.pk).update(
            requests=F("requests") + 1, cost_usd=F("cost_usd") + cost_usd
        )


def _spent_today(user) -> float:
    row = (
        CloudUsage.objects.filter(user=user, day=timezone.localdate())
        .values_list("cost_usd", flat=True)
        .first()
    )
    return row or 0.0
