from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from kb_assistant.accounts.models import ApiToken, api_tokens_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "hint", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("user__username", "name", "hint")
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at", "revoked_at")
    actions = ("revoke",)

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = api_tokens_revoke(tokens=queryset)
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)
