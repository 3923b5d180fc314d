from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from kb_assistant.accounts.models import preference_set_language


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, for pages before login), remembered for the user too."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        preference_set_language(user=request.user, language=language)
    return set_language(request)
