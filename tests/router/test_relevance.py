"""The answer / not-found line: coverage of the question's words, in its own language and
through their translations, and the rule over the signals, without a model (the calibration
itself is bench/notfound.py)."""

import pytest

from router.lexical import terms
from router.relevance import RULES, RelevanceRule, coverage, margin, rule_for, translated_coverage

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


def test_words_are_found_through_their_translations_in_the_other_language():
    english = [
        "New employees serve a probation period of six months.",
        "Annual leave is 25 days a year; carry-over needs the manager's approval.",
    ]
    chinese = ["新员工的试用期为六个月。", "每年年假为25天，结转需经理批准。"]
    assert translated_coverage("试用期多长？", english, [terms(t) for t in english]) > 0.5
    assert (
        translated_coverage("How long is the probation period?", chinese, [terms(t) for t in chinese]) > 0.3
    )
    assert translated_coverage("How long is the probation period?", chinese[1:], [terms(chinese[1])]) < 0.2
    assert coverage("试用期多长？", [terms(t) for t in english]) == 0.0  # blind word for word


def test_a_question_whose_topic_no_passage_holds_in_either_language_is_not_covered():
    assert translated_coverage("汞的沸点是多少？", TEXTS, PASSAGES) < 0.2
    assert translated_coverage("What is the boiling point of mercury?", TEXTS, PASSAGES) < 0.2
    assert translated_coverage("车库有多少个停车位？", TEXTS, PASSAGES) > 0.5  # its own language still counts
    assert translated_coverage("anything", [], []) == 0.0


def never() -> float:
    raise AssertionError("the translated coverage was computed although the rule had decided")


def test_a_sure_cosine_is_enough_and_below_the_floor_nothing_is():
    rule = RelevanceRule(floor=0.2, min_coverage=0.3, min_margin=0.1, sure=0.5, min_translated=0.4)
    assert rule.answerable(0.55, 0.0, 0.0, never)
    assert rule.answerable(0.3, 0.4, 0.0, never) and not rule.answerable(0.3, 0.1, 0.0, lambda: 0.0)
    assert rule.answerable(0.3, 0.0, 0.12, never)  # a chunk that stands out, in another language
    assert rule.answerable(0.3, 0.0, 0.0, lambda: 0.45)  # its words found through translations
    assert not rule.answerable(0.15, 1.0, 1.0, never)


def test_chinese_questions_have_their_own_rule():
    assert rule_for("年假有多少天？") is RULES["cjk"]
    assert rule_for("How many days of annual leave?") is RULES["latin"]


def test_the_margin_is_over_the_next_few_chunks():
    assert margin([0.5, 0.3, 0.3]) == pytest.approx(0.2)
    assert margin([0.4]) == pytest.approx(0.4) and margin([]) == 0.0
