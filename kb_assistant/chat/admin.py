from django.contrib import admin

from kb_assistant.chat.models import Conversation, Message


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("role", "text", "route", "request_id", "rating", "created_at")
    readonly_fields = fields


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("title", "owner", "updated_at")
    list_filter = ("owner",)
    # The pseudonym map holds real personal data; it is not for display, even to admins.
    exclude = ("placeholder_map",)
    inlines = [MessageInline]
