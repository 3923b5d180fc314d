"""The product's default local model (settings.DEFAULT_LOCAL_LLM_MODEL, installed by `make
install`), not the suite's small one: it drafts a checked answer below the quotes in English
and in Chinese over the samples. Real model in-process, real parser, chunker, embedder and
condensing; one thread, as the suite runs it, so the draft is given more than the product's
time (the time box itself is tested in test_local_answer.py)."""

import re
from dataclasses import replace

import pytest
from django.conf import settings as django_settings

from ingestion.embed import get_embedder
from router.backends import local_backend_for
from router.config import local_llm_config, router_config
from router.generate import local_answer
from tests.router.test_condense_structure import condensed_for, sample_passages

DRAFT_SECONDS = 60.0
QUESTIONS = [
    (
        "leave-and-hr-policy.md",
        "How many days of paid annual leave do full-time employees get?",
        "In short: ",
    ),
    ("onboarding-handbook-zh.txt", "试用期有多长？", "简要回答："),
]


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


@pytest.mark.parametrize(("sample", "question", "lead"), QUESTIONS)
def test_the_default_model_drafts_a_checked_answer_in_the_questions_language(
    settings, embedder, sample, question, lead
):
    settings.LOCAL_LLM_MODEL = django_settings.DEFAULT_LOCAL_LLM_MODEL
    config = local_llm_config()
    assert config.model_path is not None, "make install installs the default local model"
    condensed = condensed_for(question, sample_passages(sample, embedder), embedder)

    answer = "".join(
        local_answer(
            question=question,
            intent="general",
            condensed=condensed,
            backend=local_backend_for(config),
            config=replace(router_config(), draft_seconds=DRAFT_SECONDS),
            drafts_chinese=config.writes_chinese,
        )
    )

    quotes, _, draft = answer.partition(lead)
    assert quotes.startswith(("Here is what your documents say:", "以下是您有权阅读的文档中的相关内容："))
    assert draft.strip(), f"no checked draft below the quotes: {answer!r}"
    context = condensed.render()
    assert all(number in context for number in re.findall(r"\d+", draft)), "every number is the passages'"
    if lead == "简要回答：":
        assert re.search(r"[\u4e00-\u9fff]", draft), "a Chinese question gets a Chinese draft"
