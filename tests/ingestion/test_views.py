"""Who may see which KB page and API call."""

import pytest
from django.urls import reverse

from ingestion.models import Document
from kb_assistant.accounts.models import api_token_create

KB_PAGES = ["kb:list", "kb:status"]


@pytest.fixture
def document(db):
    return Document.objects.create(title="Leave", original_name="leave.md", sha256="0" * 64)


@pytest.mark.django_db
@pytest.mark.parametrize("page", KB_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, page):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["alice", "audrey", "oscar"])
def test_people_who_are_not_kb_admins_get_403_on_every_kb_page(client, document, persona, request):
    client.force_login(request.getfixturevalue(persona))
    urls = [reverse(p) for p in KB_PAGES] + [reverse("kb:detail", args=[document.pk])]
    assert [client.get(url).status_code for url in urls] == [403] * len(urls)
    for action in ("kb:reingest", "kb:delete"):
        assert client.post(reverse(action, args=[document.pk])).status_code == 403
    assert Document.objects.filter(pk=document.pk).exists()


def test_a_kb_admin_sees_the_list_and_the_live_status(client, kim, document):
    client.force_login(kim)
    assert "Leave" in client.get(reverse("kb:list")).content.decode()
    status = client.get(reverse("kb:status"), {"ids": str(document.pk)}).json()
    assert status["documents"][0] | {"id": document.pk, "status": "queued"} == status["documents"][0]


def test_an_empty_upload_is_rejected_with_a_message_and_nothing_stored(client, kim):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(kim)
    response = client.post(
        reverse("kb:list"),
        {"files": [SimpleUploadedFile("empty.md", b"")], "sensitivity": "internal"},
        follow=True,
    )
    assert response.status_code == 200
    assert Document.objects.count() == 0
    assert "empty" in response.content.decode().lower()


def test_the_api_refuses_a_missing_or_wrong_token(client, db):
    assert client.get("/api/documents/").status_code in (401, 403)
    response = client.get("/api/documents/", HTTP_AUTHORIZATION="Bearer kb_not-a-token")
    assert response.status_code == 401


def test_the_api_serves_kb_admins_only(client, kim, alice, document):
    kim_token, alice_token = api_token_create(user=kim), api_token_create(user=alice)

    listed = client.get("/api/documents/", HTTP_AUTHORIZATION=f"Bearer {kim_token}")
    refused = client.get("/api/documents/", HTTP_AUTHORIZATION=f"Bearer {alice_token}")

    assert listed.status_code == 200 and listed.json()["results"][0]["id"] == document.pk
    assert refused.status_code == 403
    one = client.get(f"/api/documents/{document.pk}/", HTTP_AUTHORIZATION=f"Bearer {kim_token}").json()
    assert one["status"] == "queued"


def test_the_api_rejects_an_unsupported_upload_with_a_reason(client, kim):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = api_token_create(user=kim)
    response = client.post(
        "/api/documents/",
        {"file": SimpleUploadedFile("tool.exe", b"MZ\x90\x00"), "sensitivity": "internal"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert "unsupported" in response.json()["detail"]


def test_the_openapi_schema_describes_the_document_api(client, kim):
    client.force_login(kim)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/documents/" in schema["paths"]
    assert "post" in schema["paths"]["/api/documents/"]
