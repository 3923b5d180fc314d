from django.core.management.base import BaseCommand

from ingestion.titles import document_titles_refresh


class Command(BaseCommand):
    help = (
        "Give documents still named after their file the title their parser finds, "
        "without re-embedding them (make run calls it; a second run changes nothing)."
    )

    def handle(self, *args, **options):
        retitled = document_titles_refresh()
        self.stdout.write(f"{len(retitled)} documents retitled")
