from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("Internal")
    CONFIDENTIAL = "confidential", _("Confidential")
    RESTRICTED = "restricted", _("Restricted")  # never leaves the machine, not even condensed


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    PARSING = "parsing", _("Reading the file")
    EMBEDDING = "embedding", _("Indexing")
    INDEXED = "indexed", _("Ready")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")  # taken off the queue by an admin; resumed on request


IN_PROGRESS = (Status.QUEUED, Status.PARSING, Status.EMBEDDING)


def _upload_path(document: "Document", filename: str) -> str:
    return f"documents/{document.sha256[:2]}/{document.sha256}/{filename}"


class Document(models.Model):
    """One document of the knowledge base; its chunks live in the vector index.

    `version` counts uploads of new content; `indexed_version` is the version whose
    chunks queries may see, switched only once a new version is fully written.
    """

    title = models.CharField(max_length=300)
    file = models.FileField(upload_to=_upload_path, max_length=500)
    original_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, db_index=True)
    detected_type = models.CharField(max_length=20, blank=True)
    detected_encoding = models.CharField(
        max_length=40, blank=True, help_text="Of a text-based file, as detected."
    )
    size_bytes = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    groups = models.ManyToManyField(
        Group, blank=True, related_name="documents", help_text="Who may read it; none means every employee."
    )
    sensitivity = models.CharField(max_length=20, choices=Sensitivity.choices, default=Sensitivity.INTERNAL)
    version = models.PositiveIntegerField(default=1)
    indexed_version = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)
    failure_reason = models.TextField(blank=True)
    chunk_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    indexed_at = models.DateTimeField(null=True, blank=True)
    # One ingestion at a time (ingestion/claims.py): who holds the document, and until when
    # the claim lasts without its holder's heartbeat.
    claimed_by = models.CharField(max_length=200, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    ingest_runs = models.PositiveIntegerField(
        default=0, help_text="Runs the latest ingestion took; more than one means a run was interrupted."
    )

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_in_progress(self) -> bool:
        return self.status in IN_PROGRESS


class DocumentVersion(models.Model):
    """One upload of a document's content: the history the document page shows. Rows are
    written when a version is stored and completed when it is indexed or fails."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    original_name = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    chunk_count = models.PositiveIntegerField(null=True, blank=True)  # None until indexed

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["document", "version"], name="document_version_unique")
        ]
