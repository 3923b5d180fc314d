from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from kb_assistant.audit.services import audit_event


def _client(request) -> dict:
    if request is None:
        return {}
    return {
        "ip": request.META.get("REMOTE_ADDR", ""),
        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
    }


@receiver(user_logged_in)
def record_login(sender, request, user, **kwargs) -> None:
    audit_event(kind="login", user=user, detail=_client(request))


@receiver(user_login_failed)
def record_failed_login(sender, credentials, request=None, **kwargs) -> None:
    audit_event(
        kind="login_failed",
        user=None,
        detail={"username": credentials.get("username", ""), **_client(request)},
    )
