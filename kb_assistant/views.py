from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
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
    candidates = [_link("chat:index", _("Ask the assistant"))]
    if is_kb_admin(request.user):
        candidates.append(_link("kb:list", _("Manage the knowledge base")))
    if is_auditor(request.user):
        candidates.append(_link("audit:list", _("Review the audit log")))
    return render(request, "home.html", {"links": [link for link in candidates if link]})
