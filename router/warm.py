"""Everything a first request would otherwise load or train, loaded ahead of it."""

from ingestion.embed import get_embedder
from router.backends import local_backend
from router.intent import classify_intent
from router.protect import find_personal_data


def warm_local_models() -> str:
    """Load the embedding model, the intent classifier (trained once, then cached), the
    de-identification recognizers and the local LLM; returns the classifier's label for a
    greeting, as a sign of life."""
    get_embedder()
    label = classify_intent("hello").label
    find_personal_data("Ask Maria Gonzalez, +49 151 2345 6789, maria@example.com")
    local_backend()
    return label
