import functools
import operator

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from kb_assistant.accounts.models import ApiToken, api_tokens_revoke, hash_token

HINT_LENGTH = ApiToken._meta.get_field("hint").max_length or 12


class Command(BaseCommand):
    help = (
        "Revoke API tokens: each TOKEN is a whole token or the characters it starts with as "
        "the token page and the admin show them; --user revokes all of a user's tokens."
    )

    def add_arguments(self, parser):
        parser.add_argument("tokens", nargs="*", metavar="TOKEN")
        parser.add_argument("--user", help="revoke every token of this username")

    def handle(self, *args, tokens: list[str], user: str | None, **options):
        if not tokens and not user:
            raise CommandError("name the tokens to revoke: TOKEN... or --user USERNAME")
        chosen = ApiToken.objects.filter(user__username=user) if user else ApiToken.objects.all()
        for token in tokens:
            if not chosen.filter(_matching(token)).exists():
                raise CommandError(f"no token {'of ' + repr(user) + ' ' if user else ''}matches {token!r}")
        if tokens:
            chosen = chosen.filter(_any_of(tokens))
        if not chosen.exists():
            raise CommandError(f"{user!r} has no tokens")
        self.stdout.write(f"{api_tokens_revoke(tokens=chosen)} token(s) revoked")


def _matching(token: str) -> Q:
    """A hint matches exactly (a shorter prefix could name someone else's token too)."""
    whole = Q(key_hash=hash_token(token))
    return whole | Q(hint=token) if len(token) <= HINT_LENGTH else whole


def _any_of(tokens: list[str]) -> Q:
    return functools.reduce(operator.or_, map(_matching, tokens))
