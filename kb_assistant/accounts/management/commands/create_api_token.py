from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb_assistant.accounts.models import api_token_create


class Command(BaseCommand):
    help = "Print a new bearer token for USERNAME (for /v1/ and /api/)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")
        parser.add_argument("--days", type=int, help="days until it expires (default: API_TOKEN_DAYS)")

    def handle(self, *args, username: str, name: str, days: int | None, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1")
        self.stdout.write(api_token_create(user=user, name=name, days=days))
