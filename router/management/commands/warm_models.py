from django.core.management.base import BaseCommand

from router.warm import warm_local_models


class Command(BaseCommand):
    help = "Load the local models and train the intent classifier once, so the first question is quick."

    def handle(self, *args, **options):
        """One line, for `make run`'s start-up summary."""
        problem = warm_local_models()
        if problem:
            self.stdout.write(f"ready without the local LLM ({problem}): answers quote the passages")
        else:
            self.stdout.write("ready")
