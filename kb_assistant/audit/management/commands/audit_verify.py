import sys

from django.core.management.base import BaseCommand

from kb_assistant.audit.chain import GENESIS, checkpoint_signature, verify_chain
from kb_assistant.audit.models import AuditCheckpoint, AuditRecord


class Command(BaseCommand):
    help = "Verify the audit hash chain; exit 1 naming the first broken record."

    def handle(self, *args, **options):
        checkpoint = AuditCheckpoint.objects.order_by("-up_to_seq").first()
        start_hash, start_seq = GENESIS, 1
        if checkpoint is not None:
            expected = checkpoint_signature(
                up_to_seq=checkpoint.up_to_seq, last_hash=checkpoint.last_hash, removed=checkpoint.removed
            )
            if expected != checkpoint.signature:
                self.stderr.write(
                    f"BROKEN: retention checkpoint up to #{checkpoint.up_to_seq} has a bad signature"
                )
                sys.exit(1)
            start_hash, start_seq = checkpoint.last_hash, checkpoint.up_to_seq + 1
        result = verify_chain(
            AuditRecord.objects.order_by("seq").iterator(chunk_size=2000),
            start_hash=start_hash,
            start_seq=start_seq,
        )
        if not result.ok:
            self.stderr.write(f"BROKEN: {result.problem}")
            sys.exit(1)
        self.stdout.write(
            f"OK: {result.checked} records verify"
            + (f" from checkpoint #{start_seq - 1}" if checkpoint else "")
        )
