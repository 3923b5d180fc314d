from django.core.management.base import BaseCommand

from ingestion.models import Document
from ingestion.pipeline import ingest_document
from ingestion.services import document_reingest
from ingestion.store import index_reset


class Command(BaseCommand):
    help = "Drop the vector index and rebuild it from the stored files (after changing the embedding model)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync", action="store_true", help="rebuild in this process, not through the worker"
        )

    def handle(self, *args, sync: bool, **options):
        index_reset()
        for document in Document.objects.order_by("pk"):
            if sync:
                result = ingest_document(document.pk)
                self.stdout.write(f"{result.outcome:<10} {document.title}")
            else:
                document_reingest(document=document)
        if not sync:
            self.stdout.write("All documents queued for re-ingestion.")
