from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from ingestion.models import Document, Sensitivity, Status
from kb_assistant.accounts.roles import AUDITORS, KB_ADMINS
from kb_assistant.labels import label

ROLE_GROUPS = (KB_ADMINS, AUDITORS)  # roles, not readers: they never read documents by being one


def reader_groups():
    """The groups a document can be shared with."""
    return Group.objects.exclude(name__in=ROLE_GROUPS).order_by("name")


class ReaderGroupsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Group) -> str:
        return label("group", obj.name)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f] or super().clean(None)


class AccessForm(forms.Form):
    groups = ReaderGroupsField(
        queryset=reader_groups(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to let every employee read it."),
    )
    sensitivity = forms.ChoiceField(choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)


class UploadForm(AccessForm):
    """Bulk upload. The access fields are for new documents: a file that becomes a new version
    keeps its document's access, which is changed on that document's page."""

    files = MultipleFileField(label=_("Files"))
    everyone = forms.BooleanField(required=False, label=_("Every employee may read them"))
    same_name_versions = forms.BooleanField(
        required=False,
        label=_("A file named like an existing document is a new version of it (and keeps its access)"),
        help_text=_("Unticked, such a file is added as a new document under a numbered name."),
    )

    def __init__(self, *args, uploader, **kwargs) -> None:
        """The uploader's own reader groups are ticked at first: a safer start than everyone."""
        super().__init__(*args, initial={"groups": list(reader_groups().filter(user=uploader))}, **kwargs)
        self.fields["groups"].help_text = _("Or tick “Every employee may read them” below.")

    def clean(self) -> dict:
        data = super().clean()
        if data.get("everyone"):
            data["groups"] = []
        elif not data.get("groups") and "groups" not in self.errors:
            raise forms.ValidationError(
                _("Choose who may read the new documents, or tick “Every employee may read them”.")
            )
        return data


class DocumentFilterForm(forms.Form):
    """The documents list's filters, by status and by reader group."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    group = forms.ChoiceField(label=_("Readers"), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("any")), *Status.choices]
        self.fields["group"].choices = [
            ("", _("any")),
            ("everyone", _("every employee")),
            *((g.name, label("group", g.name)) for g in reader_groups()),
        ]

    def selected(self) -> tuple[str, str]:
        """(status, group), empty where not filtered; an invalid choice filters nothing."""
        data = self.cleaned_data if self.is_valid() else {}
        return data.get("status", ""), data.get("group", "")


class VersionForm(AccessForm):
    """A new version of one document, its access fields showing the document's current access.

    A field counts as given only when the admin changed it in this form: the hidden initial
    values say what the form showed, so a change someone else saved meanwhile is kept too."""

    file = forms.FileField(label=_("New version"))

    def __init__(self, *args, document: Document, **kwargs) -> None:
        initial = {"groups": list(document.groups.all()), "sensitivity": document.sensitivity}
        super().__init__(*args, prefix="version", initial=initial, **kwargs)
        for name in ("groups", "sensitivity"):
            self.fields[name].show_hidden_initial = True

    def access_given(self) -> tuple[list[Group] | None, str | None]:
        """(groups, sensitivity), each None where the admin left it as shown."""
        changed = self.changed_data
        groups = list(self.cleaned_data["groups"]) if "groups" in changed else None
        return groups, self.cleaned_data["sensitivity"] if "sensitivity" in changed else None
