from django.core.management.base import BaseCommand

from router.warm import warm_local_models


class Command(BaseCommand):
    help = "Load the local models and train the intent classifier once, so the first question is quick."

    def handle(self, *args, **options):
        self.stdout.write(f"intent classifier ready: {warm_local_models()}")
