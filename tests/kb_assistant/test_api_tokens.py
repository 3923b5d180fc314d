"""API tokens expire and can be revoked: a leaked token stops working at a known date, or at
once when an admin revokes it, on `/v1/` and `/api/` alike, and the client is told which."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from kb_assistant.accounts.models import ApiToken, api_token_create, hash_token
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def models_call(client, raw: str):
    return client.get(reverse("openai:models"), HTTP_AUTHORIZATION=f"Bearer {raw}")


def documents_call(client, raw: str):
    return client.get("/api/documents/", HTTP_AUTHORIZATION=f"Bearer {raw}")


def row(raw: str) -> ApiToken:
    return ApiToken.objects.get(key_hash=hash_token(raw))


def test_a_new_token_expires_after_the_default_lifetime(alice, settings):
    settings.API_TOKEN_DAYS = 30
    raw = api_token_create(user=alice)

    lifetime = row(raw).expires_at - timezone.now()
    assert timedelta(days=29, hours=23) < lifetime <= timedelta(days=30)


def test_an_expired_token_is_refused_with_the_date_it_expired(client, alice, kim):
    raw, admin_raw = api_token_create(user=alice), api_token_create(user=kim)
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(days=1))
    ApiToken.objects.update(last_used_at=None)

    response = models_call(client, raw)
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    expired_on = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%d")
    assert error["code"] == "invalid_api_key" and error["message"].startswith(
        f"This API key expired on {expired_on}"
    )
    rest = documents_call(client, admin_raw)
    assert rest.status_code == 401 and "expired" in rest.json()["detail"]
    assert row(raw).last_used_at is None, "a refused token is not recorded as used"


def test_a_token_that_has_not_expired_works(client, alice):
    raw = api_token_create(user=alice, days=1)
    assert models_call(client, raw).status_code == 200
    assert row(raw).last_used_at is not None


def test_revoking_by_the_hint_shown_stops_that_token_only(client, alice):
    kept, revoked = api_token_create(user=alice), api_token_create(user=alice)
    out = StringIO()

    call_command("revoke_api_token", row(revoked).hint, stdout=out)

    assert out.getvalue().strip() == "1 token(s) revoked"
    response = models_call(client, revoked)
    assert response.status_code == 401 and "was revoked on" in response.json()["error"]["message"]
    assert models_call(client, kept).status_code == 200


def test_revoking_a_users_tokens_leaves_the_others(client, alice, bob):
    alice_raws = [api_token_create(user=alice), api_token_create(user=alice)]
    bob_raw = api_token_create(user=bob)

    call_command("revoke_api_token", "--user", "alice", stdout=StringIO())

    assert all(models_call(client, raw).status_code == 401 for raw in alice_raws)
    assert models_call(client, bob_raw).status_code == 200


def test_the_command_refuses_what_matches_nothing(alice):
    raw = api_token_create(user=alice)
    with pytest.raises(CommandError, match="no token matches 'kb_nothing'"):
        call_command("revoke_api_token", "kb_nothing")
    with pytest.raises(CommandError, match="name the tokens"):
        call_command("revoke_api_token")
    with pytest.raises(CommandError, match="no token of 'bob' matches"):
        call_command("revoke_api_token", raw, "--user", "bob")
    assert row(raw).revoked_at is None


def test_an_admin_revokes_tokens_from_the_admin(client, alice):
    admin = get_user_model().objects.create_superuser("root", password=PASSWORD)
    raw = api_token_create(user=alice)
    client.force_login(admin)

    client.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [row(raw).pk]},
    )

    assert row(raw).revoked_at is not None
    client.logout()
    assert models_call(client, raw).status_code == 401


def test_create_api_token_takes_a_lifetime(alice):
    out = StringIO()
    call_command("create_api_token", "alice", "--days", "7", stdout=out)

    lifetime = row(out.getvalue().strip()).expires_at - timezone.now()
    assert timedelta(days=6, hours=23) < lifetime <= timedelta(days=7)
    with pytest.raises(CommandError, match="--days must be at least 1"):
        call_command("create_api_token", "alice", "--days", "0")


def test_the_token_page_shows_when_each_token_expires(client, alice):
    raw = api_token_create(user=alice)
    client.force_login(alice)

    page = client.get(reverse("chat:settings")).content.decode()
    assert row(raw).expires_at.strftime("%Y-%m-%d") in page
