from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from kb_assistant.accounts.roles import is_kb_admin


def kb_admin_required(view):
    """Anonymous users go to the login page; logged-in non-admins get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_kb_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


class IsKbAdmin(BasePermission):
    message = "Only KB admins may manage documents."

    def has_permission(self, request, view) -> bool:
        return is_kb_admin(request.user)
