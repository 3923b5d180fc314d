from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from kb_assistant.accounts.models import api_token_create


class Command(BaseCommand):
    help = "Print a new bearer token for USERNAME (for /v1/ and /api/)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="cli")

    def handle(self, *args, username: str, name: str, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r}")
        self.stdout.write(api_token_create(user=user, name=name))
