"""Demo groups and people for a first run; idempotent, so `make run` can call it every time."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from kb_assistant.accounts.roles import AUDITORS, DEMO_GROUPS, EMPLOYEES, KB_ADMINS


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    groups: tuple[str, ...]
    role: str


DEMO_USERS = (
    DemoUser("alice", "Alice Martin", (EMPLOYEES, "hr"), "employee in HR"),
    DemoUser("bob", "Bob Chen", (EMPLOYEES, "finance"), "employee in finance"),
    DemoUser("carol", "Carol Wang", (EMPLOYEES, "legal"), "employee in legal"),
    DemoUser("kim", "Kim Larsen", (EMPLOYEES, KB_ADMINS), "KB admin"),
    DemoUser("audrey", "Audrey Okafor", (AUDITORS,), "auditor"),
)


def demo_setup(*, password: str) -> list[DemoUser]:
    """Create the demo groups and users, leaving existing passwords alone."""
    for name in DEMO_GROUPS:
        Group.objects.get_or_create(name=name)
    users = get_user_model().objects
    for demo in DEMO_USERS:
        first, last = demo.full_name.split(" ", 1)
        user, created = users.get_or_create(
            username=demo.username,
            defaults={"first_name": first, "last_name": last, "email": f"{demo.username}@example.com"},
        )
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(*Group.objects.filter(name__in=demo.groups))
    return list(DEMO_USERS)
