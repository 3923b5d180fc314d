"""Roles are Django auth groups; these names are the contract with the demo set-up."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

KB_ADMINS = "kb-admins"
AUDITORS = "auditors"
EMPLOYEES = "employees"
DEPARTMENTS = ("hr", "finance", "legal")
DEMO_GROUPS = (EMPLOYEES, *DEPARTMENTS, KB_ADMINS, AUDITORS)


def has_role(user: AbstractBaseUser | AnonymousUser, group: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name=group).exists()


def is_kb_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, KB_ADMINS)


def is_auditor(user: AbstractBaseUser | AnonymousUser) -> bool:
    return has_role(user, AUDITORS)
