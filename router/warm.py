"""Everything a first request would otherwise load, train or open, done ahead of it."""

from dataclasses import replace

from django.contrib.auth.models import AnonymousUser

from router import bilingual
from router.backends import LazyLocalBackend
from router.config import cloud_config, router_config
from router.deps import cloud_gate, pipeline_deps
from router.errors import BackendError
from router.pii import zh_words
from router.pipeline import AskRequest, ask
from router.protect import find_personal_data

# Questions like an employee's first, in both languages: every stage, each language's path.
WARM_QUESTIONS = ("How many days of annual leave do I get?", "年假有多少天？")
WARM_DRAFT_SECONDS = 0.5  # the model's first evaluation is what costs; its draft is not read


def warm_local_models() -> str:
    """Load the embedding model, the intent classifier (trained once, then cached), the
    de-identification recognizers and the local LLM, then ask the warm questions. A local
    model that cannot load is reported, not fatal (answers then quote the passages):
    returns why it could not, or "" when everything loaded."""
    deps = pipeline_deps()
    deps.intents.classify("hello")
    find_personal_data("Ask Maria Gonzalez, +49 151 2345 6789, maria@example.com")
    zh_words.load()
    bilingual.load()
    problem = ""
    try:
        if isinstance(deps.local, LazyLocalBackend):  # not a model server on other machines
            deps.local.load()
    except BackendError as exc:
        problem = str(exc)
    _ask_warm_questions()
    return problem


class _Nobody(AnonymousUser):
    """Nobody in particular: reads only documents open to everyone, sees no one's values."""

    email = ""

    def get_full_name(self) -> str:
        return ""


class _NoBudget:
    """Nobody's: the warm questions never spend on the cloud."""

    def left(self, user) -> float:
        return 0.0

    def spend(self, user, cost_usd: float) -> None:
        raise AssertionError("a warm question reached the cloud")


def _ask_warm_questions() -> None:
    """As nobody in particular (so only documents open to everyone), offline and unrecorded:
    the audit holds what people asked, not the server's start, and nothing goes out."""
    deps = replace(
        pipeline_deps(),
        audit=lambda **_: None,
        budget=_NoBudget(),
        cloud=cloud_gate(replace(cloud_config(), api_key="")),
    )
    config = replace(router_config(), draft_seconds=WARM_DRAFT_SECONDS)
    for question in WARM_QUESTIONS:
        trace, _ = ask(AskRequest(question=question, user=_Nobody()), deps=deps, config=config)
        if trace.error:
            raise RuntimeError(f"the warm question {question!r} failed: {trace.error}")
