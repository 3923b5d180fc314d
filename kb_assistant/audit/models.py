"""The audit log. Records are append-only through the application: `save()` refuses to
update, `delete()` refuses outright, and the only removal path is retention expiry
(`services.audit_records_expire`), which leaves a signed checkpoint behind."""

from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """Records are never changed or removed through the application; expiry has its own path."""

    def update(self, **kwargs):
        raise PermissionError("audit records are append-only")

    def delete(self):
        raise PermissionError("audit records are append-only")


class AuditRecord(models.Model):
    """One tamper-evident record: `hash` covers the content and the previous record's hash.

    The columns next to `detail` are denormalised from it so the review filters and the
    dashboard run on indexes instead of parsing JSON; `detail` holds the whole trace.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=40)  # request, login, login_failed, document_upload…
    channel = models.CharField(max_length=20, blank=True)
    # A plain id, not a foreign key: deleting a user must neither cascade into the log nor
    # rewrite it (SET_NULL would change hashed content). The username is kept beside it.
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    question = models.TextField(blank=True)
    intent = models.CharField(max_length=50, blank=True)
    route = models.CharField(max_length=20, blank=True)
    has_cloud_payload = models.BooleanField(default=False)
    compliance_kinds = models.CharField(max_length=300, blank=True)  # sorted, comma-separated
    cloud_in_tokens = models.PositiveIntegerField(default=0)
    cloud_out_tokens = models.PositiveIntegerField(default=0)
    plain_rag_tokens = models.PositiveIntegerField(default=0)
    cost_usd = models.FloatField(default=0.0)
    plain_rag_cost_usd = models.FloatField(default=0.0)
    total_ms = models.FloatField(default=0.0)
    latency_ms = models.JSONField(default=dict)  # by stage, for the percentile chart
    failed = models.BooleanField(default=False)
    breaker_open = models.BooleanField(default=False)
    # No cloud was configured: plain RAG's tokens and cost could never have been spent, so
    # the dashboard counts no savings against them. From the trace's reason codes.
    offline = models.BooleanField(default=False)
    detail = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        # Each filter paired with seq, so "newest first, 50 at a time" is an index walk.
        indexes = [
            models.Index(fields=["kind", "seq"], name="audit_kind_seq"),
            models.Index(fields=["username", "seq"], name="audit_user_seq"),
            models.Index(fields=["intent", "seq"], name="audit_intent_seq"),
            models.Index(fields=["route", "seq"], name="audit_route_seq"),
            models.Index(fields=["has_cloud_payload", "seq"], name="audit_cloud_seq"),
            models.Index(fields=["compliance_kinds", "seq"], name="audit_compliance_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("audit records are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit records are append-only")

    @property
    def compliance_kind_list(self) -> list[str]:
        return self.compliance_kinds.split(",") if self.compliance_kinds else []


class AuditDocument(models.Model):
    """Which documents a record concerns (retrieved by a request, or acted on by an event),
    so the document filter is an indexed lookup rather than a search through JSON."""

    record = models.ForeignKey(AuditRecord, on_delete=models.DO_NOTHING, related_name="documents")
    document_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=300, blank=True)
    sensitivity = models.CharField(max_length=20, blank=True)
    cited = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["document_id", "record"], name="audit_document_record")]


class AuditCheckpoint(models.Model):
    """A signed summary of records removed by retention, so the chain still verifies."""

    created_at = models.DateTimeField()
    up_to_seq = models.PositiveBigIntegerField()
    last_hash = models.CharField(max_length=64)
    removed = models.PositiveIntegerField()
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-up_to_seq"]


class Feedback(models.Model):
    """Thumbs up or down on an answer; a separate table so audit records stay untouched."""

    request_id = models.CharField(max_length=64, db_index=True)
    user_id = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150, blank=True)
    rating = models.SmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.request_id} {self.rating:+d}"


class ChainHead(models.Model):
    """One row, locked while appending, so concurrent writers never fork the chain. It also
    lets verification notice records cut from the end, which a chain alone cannot, and its
    signature (keyed, unlike the chain) a chain rewritten from an edited record onwards."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64, blank=True)  # chain.head_signature of (seq, hash)
