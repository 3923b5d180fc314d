"""Which local GGUF model answers: LOCAL_LLM_PATH (any GGUF), else the catalogue's
LOCAL_LLM_MODEL, installed and verified in LOCAL_MODELS_DIR (router.local_models)."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from router.local_models import (
    LocalModel,
    UnknownModel,
    catalogue_entry,
    entry_for_file,
    installed_model_path,
)


def configured_model() -> LocalModel:
    """LOCAL_LLM_MODEL's catalogue entry; a name the catalogue lacks is a configuration error."""
    try:
        return catalogue_entry(settings.LOCAL_LLM_MODEL)
    except UnknownModel as exc:
        raise ImproperlyConfigured(f"LOCAL_LLM_MODEL: {exc}") from exc


def local_llm_path() -> Path:
    """Raises ModelNotInstalled (a FileNotFoundError) saying what to run when it is missing."""
    if settings.LOCAL_LLM_PATH:
        return Path(settings.LOCAL_LLM_PATH)
    return installed_model_path(configured_model(), settings.LOCAL_MODELS_DIR)


def local_llm_writes_chinese() -> bool:
    """A LOCAL_LLM_PATH file the catalogue knows by name counts as that model; any other GGUF
    as one that does not write Chinese, since nothing says it does."""
    if settings.LOCAL_LLM_PATH:
        known = entry_for_file(Path(settings.LOCAL_LLM_PATH))
        return known is not None and known.writes_chinese
    return configured_model().writes_chinese
