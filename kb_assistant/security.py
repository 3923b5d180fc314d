"""Security decorators for the server-rendered pages, shared by every app's views."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

# Defence in depth behind the sanitiser: even if markup slipped through, no inline script,
# no script from elsewhere, and no plug-in could run on these pages.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def strict_csp(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sends CONTENT_SECURITY_POLICY with the view's response."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response

    return wrapper
