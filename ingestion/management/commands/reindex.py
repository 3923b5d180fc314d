from django.core.management.base import BaseCommand

from ingestion.models import Document
from ingestion.pipeline import ingest_document
from ingestion.services import document_reingest
from ingestion.store import index_matches_model, index_reset


class Command(BaseCommand):
    help = "Drop the vector index and rebuild it from the stored files (after changing the embedding model)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--sync", action="store_true", help="rebuild in this process, not through the worker"
        )
        parser.add_argument(
            "--if-model-changed",
            action="store_true",
            help="only if the index was built with another embedding model (make run uses it)",
        )

    def handle(self, *args, sync: bool, if_model_changed: bool, **options):
        if if_model_changed and index_matches_model():
            self.stdout.write("The index was built with the configured embedding model; nothing to rebuild.")
            return
        index_reset()
        for document in Document.objects.order_by("pk"):
            if sync:
                result = ingest_document(document.pk)
                self.stdout.write(f"{result.outcome:<10} {document.title}")
            else:
                document_reingest(document=document)
        if not sync:
            self.stdout.write("All documents queued for re-ingestion.")
