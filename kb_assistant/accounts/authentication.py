from django.utils import timezone
from rest_framework import authentication, exceptions

from kb_assistant.accounts.models import ApiToken, hash_token


def user_for_token(raw: str):
    """The active user a raw bearer token belongs to, or None."""
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
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
        user = user_for_token(header[1])
        if user is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        return (user, None)

    def authenticate_header(self, request) -> str:
        return "Bearer"
