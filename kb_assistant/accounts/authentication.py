from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone
from rest_framework import authentication, exceptions

from kb_assistant.accounts.models import ApiToken, hash_token


class TokenRefused(Exception):
    """Why a bearer token does not authenticate; the message is for the client holding it."""


def token_user(raw: str) -> AbstractBaseUser:
    """The active user a raw bearer token belongs to; TokenRefused says why not. Only a
    holder of the token itself learns that it expired or was revoked."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        raise TokenRefused("Incorrect API key.")
    now = timezone.now()
    if token.revoked_at is not None:
        raise TokenRefused(f"This API key was revoked on {token.revoked_at:%Y-%m-%d}; create a new one.")
    if token.expires_at <= now:
        raise TokenRefused(f"This API key expired on {token.expires_at:%Y-%m-%d}; create a new one.")
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer kb_…`, the header OpenAI clients already send."""

    keyword = "bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace").split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            return (token_user(header[1]), None)
        except TokenRefused as exc:
            raise exceptions.AuthenticationFailed(str(exc)) from exc

    def authenticate_header(self, request) -> str:
        return "Bearer"
