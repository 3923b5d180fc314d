import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

SAMPLES = Path(settings.BASE_DIR) / "samples"


class Command(BaseCommand):
    help = "Ingest the sample knowledge base with the groups and sensitivity of samples/manifest.json."

    def add_arguments(self, parser):
        parser.add_argument("--sync", action="store_true")

    def handle(self, *args, sync: bool, **options):
        for entry in json.loads((SAMPLES / "manifest.json").read_text()):
            call_command(
                "ingest",
                str(SAMPLES / entry["file"]),
                groups=",".join(entry["groups"]),
                sensitivity=entry["sensitivity"],
                sync=sync,
                stdout=self.stdout,
            )
