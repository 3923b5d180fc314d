from django.contrib import admin

from router.models import (
    BlockedTerm,
    CloudUsage,
    CompanyIdPattern,
    GlossaryTerm,
    IntentLabel,
    OwnOrganisation,
)


@admin.register(IntentLabel)
class IntentLabelAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "example_count", "is_out_of_scope", "enabled", "updated_at")
    list_filter = ("is_out_of_scope", "enabled")
    search_fields = ("name", "title", "description", "examples")
    readonly_fields = ("updated_at",)

    @admin.display(description="examples")
    def example_count(self, label: IntentLabel) -> int:
        return len(label.example_list())


@admin.register(GlossaryTerm)
class GlossaryTermAdmin(admin.ModelAdmin):
    list_display = ("term", "preferred", "note")
    search_fields = ("term", "preferred")


@admin.register(BlockedTerm)
class BlockedTermAdmin(admin.ModelAdmin):
    list_display = ("term", "reason")
    search_fields = ("term",)


@admin.register(CloudUsage)
class CloudUsageAdmin(admin.ModelAdmin):
    list_display = ("user", "day", "requests", "cost_usd")
    list_filter = ("day",)
    readonly_fields = ("user", "day", "requests", "cost_usd")


@admin.register(CompanyIdPattern)
class CompanyIdPatternAdmin(admin.ModelAdmin):
    """The company's ID formats; saving runs the model's checks (compiles, matches its example,
    leaves ordinary text alone). The formats in the settings apply as well and are not listed."""

    list_display = ("name", "kind", "regex", "example", "enabled", "updated_at")
    list_filter = ("kind", "enabled")
    search_fields = ("name", "regex", "example")
    readonly_fields = ("updated_at",)


@admin.register(OwnOrganisation)
class OwnOrganisationAdmin(admin.ModelAdmin):
    """The allow-list of the company's own names, which may reach the cloud unmasked."""

    list_display = ("name", "updated_at")
    search_fields = ("name",)
    readonly_fields = ("updated_at",)
