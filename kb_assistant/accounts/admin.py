from django.contrib import admin

from kb_assistant.accounts.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "hint", "created_at", "last_used_at")
    readonly_fields = ("key_hash", "hint", "created_at", "last_used_at")
