"""The review filters, as one GET form shared by the list, the export and the dashboard, so
an export is always exactly the set on the screen."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from kb_assistant.audit.selectors import AuditFilters, audit_compliance_kinds, audit_intents
from kb_assistant.audit.services import EVENT_KINDS
from kb_assistant.labels import choices

ROUTES = ("local", "cloud", "fallback")


def _choices(vocabulary: str, values) -> list[tuple[str, str]]:
    """Codes as the reader's words, after the blank "any"."""
    return [("", _("any")), *choices(vocabulary, values)]


class AuditFilterForm(forms.Form):
    user = forms.CharField(label=_("User"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    intent = forms.ChoiceField(label=_("Intent"), required=False)
    route = forms.ChoiceField(label=_("Route"), required=False)
    cloud = forms.ChoiceField(
        label=_("Cloud payload"),
        required=False,
        choices=[("", _("any")), ("yes", _("sent")), ("no", _("none"))],
    )
    compliance = forms.ChoiceField(label=_("Compliance action"), required=False)
    document = forms.IntegerField(label=_("Document id"), required=False, min_value=1)
    request_id = forms.CharField(label=_("Request id"), required=False, max_length=64)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _choices("kind", ("request", *EVENT_KINDS))
        self.fields["intent"].choices = _choices("intent", audit_intents())
        self.fields["route"].choices = _choices("route", ROUTES)
        self.fields["compliance"].choices = [
            ("", _("any")),
            ("any", _("some action taken")),
            ("none", _("no action")),
            *choices("compliance", audit_compliance_kinds()),
        ]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data

    def filters(self, *, default_from: date | None = None) -> AuditFilters:
        """The cleaned filters; an invalid form filters nothing rather than failing the page
        (its errors are shown next to the fields)."""
        data = self.cleaned_data if self.is_valid() else {}
        return AuditFilters(
            user=data.get("user", "").strip(),
            date_from=data.get("date_from") or default_from,
            date_to=data.get("date_to"),
            kind=data.get("kind", ""),
            intent=data.get("intent", ""),
            route=data.get("route", ""),
            cloud=data.get("cloud", ""),
            compliance=data.get("compliance", ""),
            document=data.get("document"),
            request_id=data.get("request_id", "").strip(),
        )
