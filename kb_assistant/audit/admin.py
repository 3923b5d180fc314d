"""Read-only admin: records can be looked at but never added, changed or deleted here."""

from django.contrib import admin

from kb_assistant.audit.models import AuditCheckpoint, AuditRecord, Feedback


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditRecord)
class AuditRecordAdmin(ReadOnlyAdmin):
    list_display = ("seq", "created_at", "kind", "username", "route", "has_cloud_payload", "failed")
    list_filter = ("kind", "route", "has_cloud_payload", "failed")
    search_fields = ("username", "request_id")
    show_full_result_count = False  # no COUNT(*) over the whole log on every page


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    list_display = ("up_to_seq", "removed", "created_at")


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("request_id", "username", "rating", "created_at")
