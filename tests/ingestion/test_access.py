"""Access never changes by accident (issue 13, finding 6): a new version keeps its document's
groups and sensitivity unless the admin changes them; a different file under an existing
name is a new document unless a replace is asked for; every upload records access before
and after. Through the page, the API and the `ingest` command, as a KB admin uses them."""

import re
from hashlib import sha256
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from ingestion.models import Document
from ingestion.services import Access, document_submit
from ingestion.store import ChunkAccess, index_access
from kb_assistant.accounts.models import api_token_create
from kb_assistant.audit.models import AuditRecord
from tests.conftest import group

pytestmark = pytest.mark.django_db

NOTES_HR = b"HR notes: the grievance hearing for the night shift is on 4 June in room 2.\n"
NOTES_HR_V2 = NOTES_HR.replace(b"4 June", b"11 June")
NOTES_FINANCE = b"Finance notes: the quarter closes on 30 June; accruals are due by 5 July.\n"
HR_CONFIDENTIAL = Access(("hr",), "confidential")


def hr_notes(kim) -> Document:
    """An HR-only, confidential notes.txt, as an admin would have set it up."""
    return document_submit(
        filename="notes.txt", data=NOTES_HR, uploaded_by=kim, groups=[group("hr")],
        sensitivity="confidential", max_bytes=settings.KB_UPLOAD_MAX_BYTES, enqueue=False,
    ).document  # fmt: skip


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def bulk_upload(client, name: str, data: bytes, **fields):
    """The list page's form as a browser posts it at its defaults (kim's own reader group
    ticked), plus `fields`."""
    defaults = {"sensitivity": "internal", "groups": [group("employees").pk]}
    form = {"files": [SimpleUploadedFile(name, data)], **defaults, **fields}
    return client.post(reverse("kb:list"), form)


def version_form_as_shown(client, document: Document) -> dict:
    """What the detail page's new-version form posts when the admin leaves its access alone:
    the checked boxes, the selected option and the hidden initial values, read from the page."""
    page = client.get(reverse("kb:detail", args=[document.pk])).content.decode()
    form = page[page.index('action="' + reverse("kb:new_version", args=[document.pk])) :]
    form = form[: form.index("</form>")]
    fields: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name, value = re.search(r'name="([^"]+)"', tag), re.search(r'value="([^"]*)"', tag)
        if name and value and ('type="hidden"' in tag or "checked" in tag):
            fields.setdefault(name.group(1), []).append(value.group(1))
    selected = re.search(
        r'<select name="version-sensitivity"[^>]*>.*?<option value="(\w+)"[^>]*selected', form, re.S
    )
    assert selected, "the form shows no sensitivity"
    fields["version-sensitivity"] = [selected.group(1)]
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_a_new_version_from_the_bulk_form_at_its_defaults_keeps_hr_and_confidential(client, kim):
    notes = hr_notes(kim)
    client.force_login(kim)

    response = bulk_upload(client, "notes.txt", NOTES_HR_V2, same_name_versions="on")

    notes.refresh_from_db()
    assert (notes.version, Access.of(notes)) == (2, HR_CONFIDENTIAL)
    assert Document.objects.count() == 1
    assert "keeps its access: HR · Confidential" in messages_of(response)


def test_the_new_version_form_shows_the_current_access_and_keeps_it_when_left_alone(client, kim):
    notes = hr_notes(kim)
    client.force_login(kim)
    page = client.get(reverse("kb:detail", args=[notes.pk])).content.decode()
    assert "Current access: HR · Confidential" in page  # group names as people read them

    shown = version_form_as_shown(client, notes)
    assert shown["version-sensitivity"] == ["confidential"]
    assert shown["version-groups"] == [str(group("hr").pk)]
    response = client.post(
        reverse("kb:new_version", args=[notes.pk]),
        {**shown, "version-file": SimpleUploadedFile("notes.txt", NOTES_HR_V2)},
    )

    notes.refresh_from_db()
    assert (notes.version, Access.of(notes)) == (2, HR_CONFIDENTIAL)
    assert "keeps its access" in messages_of(response)


def test_the_new_version_form_applies_only_what_the_admin_changed(client, kim):
    notes = hr_notes(kim)
    client.force_login(kim)
    shown = version_form_as_shown(client, notes)
    # Meanwhile another admin opens the notes to finance too; this admin raises the sensitivity.
    notes.groups.add(group("finance"))

    response = client.post(
        reverse("kb:new_version", args=[notes.pk]),
        {
            **shown,
            "version-sensitivity": "restricted",
            "version-file": SimpleUploadedFile("n.txt", NOTES_HR_V2),
        },
    )

    notes.refresh_from_db()
    assert Access.of(notes) == Access(("finance", "hr"), "restricted")
    assert "changed from Finance, HR · Confidential to Finance, HR · Restricted" in messages_of(response)


def test_a_different_file_with_an_existing_name_is_a_new_document_and_the_uploader_is_told(client, kim):
    notes = hr_notes(kim)
    client.force_login(kim)

    response = bulk_upload(client, "notes.txt", NOTES_FINANCE, groups=[group("finance").pk])

    notes.refresh_from_db()
    assert (notes.version, notes.sha256, Access.of(notes)) == (
        1,
        sha256(NOTES_HR).hexdigest(),
        HR_CONFIDENTIAL,
    )
    added = Document.objects.exclude(pk=notes.pk).get()
    assert (added.original_name, added.title) == ("notes (2).txt", "notes (2)")
    assert Access.of(added) == Access(("finance",), "internal")
    told = messages_of(response)
    assert "same name as “notes”" in told and "“notes (2)”" in told


def test_the_api_replaces_only_when_asked_and_keeps_access_unless_given(client, kim):
    notes = hr_notes(kim)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {api_token_create(user=kim)}"}

    def post(data: bytes, **fields):
        return client.post(
            "/api/documents/", {"file": SimpleUploadedFile("notes.txt", data), **fields}, **auth
        )

    same_name = post(NOTES_FINANCE).json()
    assert (same_name["outcome"], same_name["same_name_as"]) == ("renamed", notes.pk)
    assert same_name["document"]["original_name"] == "notes (2).txt"

    kept = post(NOTES_HR_V2, replace=notes.pk).json()
    assert kept["outcome"] == "new_version" and kept["document"]["version"] == 2
    assert kept["access_before"] == {"groups": ["hr"], "sensitivity": "confidential"}
    assert (kept["document"]["groups"], kept["document"]["sensitivity"]) == (["hr"], "confidential")

    widened = post(NOTES_HR_V2 + b"v3", replace=notes.pk, groups="", sensitivity="internal").json()
    assert (widened["document"]["groups"], widened["document"]["sensitivity"]) == ([], "internal")

    refused = post(NOTES_HR + b"v4", replace=notes.pk, groups="nobody")
    assert refused.status_code == 400 and "unknown groups: nobody" in refused.content.decode()


def test_every_upload_records_access_before_and_after(kim):
    notes = hr_notes(kim)

    def submit(data: bytes, **choices) -> None:
        document_submit(
            filename="notes.txt", data=data, uploaded_by=kim, max_bytes=settings.KB_UPLOAD_MAX_BYTES,
            enqueue=False, **choices,
        )  # fmt: skip

    submit(NOTES_HR_V2, same_name="new_version")  # a re-upload, access kept
    submit(NOTES_HR + b"3", replace=notes.pk, sensitivity="restricted")  # a replace that raises it
    submit(NOTES_FINANCE, groups=[group("finance")])  # same name, other file: a new document
    submit(NOTES_FINANCE)  # the same content again

    uploads = [r.detail for r in AuditRecord.objects.filter(kind="document_upload").order_by("seq")]
    access = [
        (u["outcome"], u["groups_before"], u["sensitivity_before"], u["groups_after"], u["sensitivity_after"])
        for u in uploads
    ]
    assert access == [
        ("created", None, None, ["hr"], "confidential"),
        ("new_version", ["hr"], "confidential", ["hr"], "confidential"),
        ("new_version", ["hr"], "confidential", ["hr"], "restricted"),
        ("renamed", None, None, ["finance"], "internal"),
        ("duplicate", ["finance"], "internal", ["finance"], "internal"),
    ]
    assert uploads[3]["same_name_as"] == notes.pk


def test_the_ingest_command_makes_a_changed_file_a_version_that_keeps_its_access(empty_index, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(NOTES_HR)
    hr = group("hr")
    call_command(
        "ingest", str(path), "--groups", "hr", "--sensitivity", "confidential", "--sync", stdout=StringIO()
    )
    path.write_bytes(NOTES_HR_V2)

    call_command("ingest", str(path), "--sync", stdout=StringIO())

    notes = Document.objects.get()
    assert (notes.version, notes.indexed_version, Access.of(notes)) == (2, 2, HR_CONFIDENTIAL)
    assert index_access(document_ids=[notes.pk]) == {notes.pk: {ChunkAccess((f"g{hr.pk}",), "confidential")}}
