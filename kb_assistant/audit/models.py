from django.conf import settings
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Records are never changed or removed through the application; expiry has its own path."""

    def update(self, **kwargs):
        raise PermissionError("audit records are append-only")

    def delete(self):
        raise PermissionError("audit records are append-only")


class AuditRecord(models.Model):
    """One tamper-evident record: `hash` covers the content and the previous record's hash."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40, db_index=True)  # request, login, login_failed, document_upload…
    channel = models.CharField(max_length=20, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True, db_index=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    question = models.TextField(blank=True)
    intent = models.CharField(max_length=50, blank=True, db_index=True)
    route = models.CharField(max_length=20, blank=True, db_index=True)
    has_cloud_payload = models.BooleanField(default=False, db_index=True)
    compliance_kinds = models.CharField(max_length=300, blank=True)
    cloud_tokens = models.PositiveIntegerField(default=0)
    plain_rag_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.FloatField(default=0.0)
    plain_rag_cost_usd = models.FloatField(default=0.0)
    failed = models.BooleanField(default=False, db_index=True)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["route", "-seq"]), models.Index(fields=["username", "-seq"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are append-only")


class AuditDocument(models.Model):
    """Which documents a request retrieved, for the document filter."""

    record = models.ForeignKey(AuditRecord, on_delete=models.CASCADE, related_name="documents")
    document_id = models.PositiveBigIntegerField(db_index=True)
    title = models.CharField(max_length=300, blank=True)
    cited = models.BooleanField(default=False)


class AuditCheckpoint(models.Model):
    """A signed summary of records removed by retention, so the chain still verifies."""

    created_at = models.DateTimeField(auto_now_add=True)
    up_to_seq = models.PositiveBigIntegerField()
    last_hash = models.CharField(max_length=64)
    removed = models.PositiveIntegerField()
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-up_to_seq"]


class Feedback(models.Model):
    """Thumbs up or down on an answer; a separate table so audit records stay untouched."""

    request_id = models.CharField(max_length=64, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.request_id} {self.rating:+d}"


class ChainHead(models.Model):
    """One row, locked while appending, so concurrent writers never fork the chain."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
