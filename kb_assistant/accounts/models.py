import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_PREFIX = "kb_"  # noqa: S105 - a prefix, not a secret


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_expiry(days: int | None = None) -> datetime:
    """When a token made now expires: API_TOKEN_DAYS from now unless told otherwise."""
    return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS if days is None else days)


class ApiToken(models.Model):
    """A bearer token for the REST and OpenAI-compatible APIs; only its hash is kept. A token
    that leaked keeps working until it expires or is revoked, so every token does expire."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="First characters, to tell tokens apart.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=token_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.hint}…"


def api_token_create(*, user: models.Model, name: str = "default", days: int | None = None) -> str:
    """Create a token and return its raw value, which is shown once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, key_hash=hash_token(raw), hint=raw[:10], expires_at=token_expiry(days)
    )
    return raw


def api_tokens_revoke(*, tokens: models.QuerySet[ApiToken]) -> int:
    """Revoke the tokens not revoked yet; the rows stay, to say when (and to whom a key was)."""
    return tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


class Preference(models.Model):
    """What a user chose for how the pages look to them; the language follows them from
    one browser to another, unlike the cookie an anonymous visitor gets."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user} {self.language or '-'}"


def preference_set_language(*, user: models.Model, language: str) -> None:
    Preference.objects.update_or_create(user=user, defaults={"language": language})
