import sys
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from kb_assistant.audit.services import ChainBroken, audit_records_expire


class Command(BaseCommand):
    help = "Remove audit records older than AUDIT_RETENTION_DAYS, leaving a signed checkpoint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days", type=int, default=None, help="override AUDIT_RETENTION_DAYS for this run (at least 1)"
        )

    def handle(self, *args, days: int | None, **options) -> None:
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 1:
            self.stderr.write("--days must be at least 1")
            sys.exit(2)
        cutoff = timezone.now() - timedelta(days=days)
        try:
            checkpoint = audit_records_expire(older_than=cutoff)
        except ChainBroken as exc:
            self.stderr.write(f"REFUSED: the records to expire do not verify, nothing removed: {exc}")
            sys.exit(1)
        if checkpoint is None:
            self.stdout.write(f"Nothing older than {days} days.")
            return
        self.stdout.write(
            f"Removed {checkpoint.removed} records up to #{checkpoint.up_to_seq}; signed checkpoint {checkpoint.pk}."
        )
