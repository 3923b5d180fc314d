from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from ingestion.models import Document, Sensitivity


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f] or super().clean(None)


class AccessForm(forms.Form):
    groups = forms.ModelMultipleChoiceField(
        queryset=Group.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty to let every employee read it."),
    )
    sensitivity = forms.ChoiceField(choices=Sensitivity.choices, initial=Sensitivity.INTERNAL)


class UploadForm(AccessForm):
    """Bulk upload. The access fields are for new documents: a file that becomes a new version
    keeps its document's access, which is changed on that document's page."""

    files = MultipleFileField(label=_("Files"))
    same_name_versions = forms.BooleanField(
        required=False,
        label=_("A file named like an existing document is a new version of it (and keeps its access)"),
        help_text=_("Unticked, such a file is added as a new document under a numbered name."),
    )


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
