"""The router's own tables: daily cloud spend per user, and the admin-editable glossary and
blocked terms of the post-processor. (Imported by router/models.py.)"""

from django.conf import settings
from django.db import models


class CloudUsage(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    requests = models.PositiveIntegerField(default=0)
    cost_usd = models.FloatField(default=0.0)

    class Meta:
        app_label = "router"
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_usage_row_per_user_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}: ${self.cost_usd:.4f}"


class GlossaryTerm(models.Model):
    """A term the company writes one way: answers have `term` replaced by `preferred`."""

    term = models.CharField(max_length=200, unique=True)
    preferred = models.CharField(max_length=200)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "router"
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} → {self.preferred}"


class BlockedTerm(models.Model):
    """A word or phrase that must never appear in an answer (code names, banned claims…)."""

    term = models.CharField(max_length=200, unique=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        app_label = "router"
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term
