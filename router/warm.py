"""Everything a first request would otherwise load or train, loaded ahead of it."""

from router.backends import LazyLocalBackend
from router.config import local_llm_config
from router.deps import pipeline_deps
from router.errors import BackendError
from router.pii import zh_words
from router.protect import find_personal_data


def warm_local_models() -> str:
    """Load the embedding model, the intent classifier (trained once, then cached), the
    de-identification recognizers and the local LLM; returns the classifier's label for a
    greeting, as a sign of life. A local model that cannot load is reported, not fatal:
    answers then quote the passages."""
    deps = pipeline_deps()
    label = deps.intents.classify("hello").label
    find_personal_data("Ask Maria Gonzalez, +49 151 2345 6789, maria@example.com")
    zh_words.load()
    try:
        LazyLocalBackend(local_llm_config()).load()  # the same process-wide model as deps.local
    except BackendError as exc:
        return f"{label} (no local model: {exc})"
    return label
