"""The answer / not-found line: coverage of the question's words and the rule over both
signals, without a model (the calibration itself is bench/notfound.py)."""

import pytest

from router.lexical import terms
from router.relevance import RULES, RelevanceRule, coverage, margin, rule_for

TEXTS = [
    "The office garage has 40 parking spaces, booked through the facilities desk.",
    "Annual leave is 25 days a year; carry-over needs the manager's approval.",
    "办公楼车库共有40个停车位，通过行政前台预订。",
]
PASSAGES = [terms(text) for text in TEXTS]


def test_a_question_whose_rare_words_a_near_passage_holds_is_covered():
    assert coverage("How many parking spaces does the garage have?", PASSAGES) > 0.35
    assert coverage("车库有多少个停车位？", PASSAGES) > 0.3  # bigrams: "有多", "少个" are not held


def test_a_question_about_what_no_passage_mentions_is_not_covered():
    assert coverage("What is the boiling point of mercury?", PASSAGES) < 0.2
    assert coverage("汞的沸点是多少？", PASSAGES) < 0.2
    assert coverage("anything", []) == 0.0


def test_only_the_first_few_passages_count_for_coverage():
    far_away = [terms("An unrelated note about printers.")] * 5 + [PASSAGES[0]]
    assert coverage("How many parking spaces does the garage have?", far_away) < 0.2


def test_a_sure_cosine_is_enough_and_below_the_floor_nothing_is():
    rule = RelevanceRule(floor=0.2, min_coverage=0.3, min_margin=0.1, sure=0.5)
    assert rule.answerable(0.55, 0.0, 0.0)
    assert rule.answerable(0.3, 0.4, 0.0) and not rule.answerable(0.3, 0.1, 0.0)
    assert rule.answerable(0.3, 0.0, 0.12)  # a chunk that stands out, in another language
    assert not rule.answerable(0.15, 1.0, 1.0)


def test_chinese_questions_have_their_own_rule():
    assert rule_for("年假有多少天？") is RULES["cjk"]
    assert rule_for("How many days of annual leave?") is RULES["latin"]


def test_the_margin_is_over_the_next_few_chunks():
    assert margin([0.5, 0.3, 0.3]) == pytest.approx(0.2)
    assert margin([0.4]) == pytest.approx(0.4) and margin([]) == 0.0
