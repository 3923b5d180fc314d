from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from kb_assistant.accounts.roles import is_auditor, is_kb_admin


def _link(url_name: str, label: str) -> dict | None:
    try:
        return {"url": reverse(url_name), "label": label}
    except NoReverseMatch:  # the app behind it is not installed in this deployment
        return None


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Employees have one place to go, the chat, so they land there after logging in; KB
    admins and auditors choose between their areas and the chat."""
    chat = _link("chat:index", _("Ask the assistant"))
    candidates = [chat]
    if is_kb_admin(request.user):
        candidates.append(_link("kb:list", _("Manage the knowledge base")))
    if is_auditor(request.user):
        candidates.append(_link("audit:list", _("Review the audit log")))
    links = [link for link in candidates if link]
    if chat and links == [chat]:
        return redirect(chat["url"])
    return render(request, "home.html", {"links": links})
