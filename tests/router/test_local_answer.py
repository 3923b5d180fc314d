"""The local route's answer: the best cited passages first, before any model runs; the model's
draft after it, within its time, a word at a time; quotes instead when no draft is worth
making. Real parser, chunker, embedding model and condensing on the samples."""

import time
from dataclasses import replace

import pytest

from ingestion.embed import get_embedder
from router.config import router_config
from router.generate import local_answer
from tests.fakes import ScriptedBackend
from tests.router.test_condense_structure import condensed_for, sample_passages

LEAVE_QUESTION = "How many days of paid annual leave do full-time employees get?"
PROBATION_ZH = "试用期有多长？"


@pytest.fixture(scope="module")
def embedder():
    return get_embedder()


@pytest.fixture(scope="module")
def handbook(embedder):
    return sample_passages("leave-and-hr-policy.md", embedder)


@pytest.fixture(scope="module")
def onboarding(embedder):
    return sample_passages("onboarding-handbook-zh.txt", embedder)


def answer_pieces(question, condensed, backend, *, drafts_chinese=False, draft_seconds=6.0):
    config = replace(router_config(), draft_seconds=draft_seconds)
    return local_answer(
        question=question,
        intent="general",
        condensed=condensed,
        backend=backend,
        config=config,
        drafts_chinese=drafts_chinese,
    )


def grounded_reply(condensed) -> str:
    """A draft that says what the best kept sentence says, in its words."""
    return condensed.kept[0].text.split("\n")[0].strip()


def test_the_best_passage_streams_before_the_model_is_asked(handbook, embedder):
    condensed = condensed_for(LEAVE_QUESTION, handbook, embedder)
    backend = ScriptedBackend(reply=grounded_reply(condensed))
    pieces = answer_pieces(LEAVE_QUESTION, condensed, backend)

    opening = [next(pieces) for _ in range(6)]
    assert backend.calls == [], "the quote must not wait for the model"
    assert "".join(opening).startswith("Here is what your documents say:")
    rest = "".join(pieces)
    assert backend.calls, "a one-part English question with a short context gets a draft"
    answer = "".join(opening) + rest
    assert "[1]" in answer.split("In short:")[0]
    assert "In short: " in answer


def test_a_slow_draft_is_cut_at_its_time_and_its_unfinished_sentence_is_dropped(handbook, embedder):
    condensed = condensed_for(LEAVE_QUESTION, handbook, embedder)
    sentence = grounded_reply(condensed)
    backend = ScriptedBackend(reply=f"{sentence} {sentence.lower()}", seconds_per_word=0.15)
    started = time.monotonic()
    answer = "".join(answer_pieces(LEAVE_QUESTION, condensed, backend, draft_seconds=1.0))

    assert time.monotonic() - started < 2.5
    assert "In short:" not in answer, "no sentence finished within the time: no draft shown"
    assert answer.count("> ") >= 1  # the quotes stand instead


def test_a_quoted_answer_streams_in_word_sized_pieces(onboarding, embedder):
    condensed = condensed_for(PROBATION_ZH, onboarding, embedder)
    backend = ScriptedBackend(reply="试用期为 6 个月。")
    pieces = list(answer_pieces(PROBATION_ZH, condensed, backend, drafts_chinese=False))

    assert backend.calls == [], "a model that does not write Chinese is not asked"
    assert len(pieces) > 10 and max(map(len, pieces)) <= 40
    assert "".join(pieces).startswith("以下是您有权阅读的文档中的相关内容：")


def test_a_model_that_writes_chinese_drafts_chinese_answers(onboarding, embedder):
    condensed = condensed_for(PROBATION_ZH, onboarding, embedder)
    backend = ScriptedBackend(reply="试用期为 6 个月。")
    answer = "".join(answer_pieces(PROBATION_ZH, condensed, backend, drafts_chinese=True))

    assert backend.calls, "a Chinese question is drafted by a model that writes Chinese"
    assert "简要回答：试用期为 6 个月。" in answer


def test_a_model_still_reading_its_prompt_does_not_hold_the_answer_past_its_time(handbook, embedder):
    condensed = condensed_for(LEAVE_QUESTION, handbook, embedder)
    backend = ScriptedBackend(reply=grounded_reply(condensed), seconds_per_word=3.0)  # no word for 3 s
    started = time.monotonic()
    answer = "".join(answer_pieces(LEAVE_QUESTION, condensed, backend, draft_seconds=0.5))

    assert time.monotonic() - started < 2.0
    assert backend.calls and "In short:" not in answer
