import sys

from django.core.management.base import BaseCommand

from kb_assistant.audit.chain import chain_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain; exit 1 naming the first broken record."

    def handle(self, *args, **options) -> None:
        result = chain_verify()
        if not result.ok:
            self.stderr.write(f"BROKEN: {result.problem}")
            sys.exit(1)
        since = f" from the retention checkpoint at #{result.start_seq - 1}" if result.start_seq > 1 else ""
        self.stdout.write(f"OK: {result.checked} records verify{since}")
