from django.core.management.base import BaseCommand

from ingestion.embed import get_embedder
from router.backends import local_backend
from router.intent import classify_intent


class Command(BaseCommand):
    help = "Load the local models and train the intent classifier once, so the first question is quick."

    def handle(self, *args, **options):
        get_embedder()
        self.stdout.write(f"intent classifier ready: {classify_intent('hello').label}")
        local_backend()
