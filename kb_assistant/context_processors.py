from django.conf import settings
from django.http import HttpRequest

from kb_assistant.accounts.roles import is_auditor, is_kb_admin


def product(request: HttpRequest) -> dict:
    """What every page's header needs: offline mode and the user's roles."""
    user = getattr(request, "user", None)
    return {
        "offline_mode": not settings.OPENAI_API_KEY,
        "user_is_kb_admin": bool(user) and is_kb_admin(user),
        "user_is_auditor": bool(user) and is_auditor(user),
    }
