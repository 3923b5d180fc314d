from django.contrib import admin

from router.models import IntentLabel


@admin.register(IntentLabel)
class IntentLabelAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "example_count", "is_out_of_scope", "enabled", "updated_at")
    list_filter = ("is_out_of_scope", "enabled")
    search_fields = ("name", "title", "description", "examples")
    readonly_fields = ("updated_at",)

    @admin.display(description="examples")
    def example_count(self, label: IntentLabel) -> int:
        return len(label.example_list())
