"""Follow-ups become standalone questions, in English, in Chinese and across the two; a
question that stands alone is left as asked."""

import time

import pytest

from router.resolve import resolve_question

HOTEL = "What is the hotel limit per night in London?"
PROBATION = "How long is the probation period for new employees?"
APPROVAL_ZH = "费用报销超过5万元需要谁审批？"


def after(previous: str, question: str, answer: str = "EUR 220 per night.") -> str:
    resolution = resolve_question(question, [("user", previous), ("assistant", answer)])
    assert resolution.changed, question
    assert resolution.previous == previous
    return resolution.question


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        (HOTEL, "And what about Shanghai?", "What is the hotel limit per night in Shanghai?"),
        (HOTEL, "And in Munich?", "What is the hotel limit per night in Munich?"),
        (PROBATION, "What about for managers?", "How long is the probation period for managers?"),
        ("How many days of annual leave do I get?", "What about sick leave?", "How many days of sick leave do I get?"),
        ("Who approves domestic trips?", "And international trips?", "Who approves international trips?"),
        (
            "What is the daily meal allowance on international trips?",
            "And on domestic trips in China?",
            "What is the daily meal allowance on domestic trips in China?",
        ),
        ("Who can approve an expense claim of 40,000 yuan?", "What about 150,000 yuan?", "Who can approve an expense claim of 150,000 yuan?"),
    ],
)  # fmt: skip
def test_an_english_fragment_takes_the_place_of_its_counterpart(previous, follow_up, standalone):
    assert after(previous, follow_up) == standalone


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        (PROBATION, "Can it be extended?", "Can the probation period for new employees be extended?"),
        ("What year did Tesla die?", "Where did he live for much of his life?", "Where did Tesla live for much of his life?"),
        ("What is the liability cap in the supplier agreement?", "Does it apply to fraud?", "Does the liability cap in the supplier agreement apply to fraud?"),
    ],
)  # fmt: skip
def test_an_english_pronoun_is_filled_with_the_previous_topic(previous, follow_up, standalone):
    assert after(previous, follow_up) == standalone


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        ("伦敦的酒店住宿标准是多少？", "上海呢？", "上海的酒店住宿标准是多少？"),
        (APPROVAL_ZH, "那采购合同呢？", "采购合同超过5万元需要谁审批？"),
        (APPROVAL_ZH, "那10万元呢？", "费用报销超过10万元需要谁审批？"),
        ("年假有多少天？", "那病假呢？", "病假有多少天？"),
        ("供应商合同的保修期是多久？", "那付款期限呢？", "供应商合同的付款期限是多久？"),
        ("入职后多少天内必须完成信息安全培训？", "那数据保护培训呢？", "入职后多少天内必须完成数据保护培训？"),
    ],
)  # fmt: skip
def test_a_chinese_fragment_takes_the_place_of_its_counterpart(previous, follow_up, standalone):
    assert after(previous, follow_up) == standalone


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        ("费用报销超过5万元怎么办？", "它需要谁审批？", "费用报销超过5万元需要谁审批？"),
        ("费用报销超过5万元怎么办？", "那需要谁审批？", "费用报销超过5万元需要谁审批？"),
        ("新员工的试用期是多久？", "这个可以延长吗？", "新员工的试用期可以延长吗？"),
        ("VPN会话多长时间后自动断开？", "私人电脑可以连接它吗？", "私人电脑可以连接VPN吗？"),
    ],
)  # fmt: skip
def test_a_chinese_pronoun_or_missing_subject_gets_the_previous_topic(previous, follow_up, standalone):
    assert after(previous, follow_up) == standalone


def test_a_topic_the_previous_question_has_no_slot_for_is_joined_to_it():
    assert (
        after("新员工入职第一天需要带哪些材料？", "那试用期呢？")
        == "新员工入职第一天需要带哪些材料，试用期呢？"
    )
    assert after(HOTEL, "And a phishing e-mail?") == f"{HOTEL[:-1]}, and what about a phishing e-mail?"
    assert (
        after("What are the payment terms for supplier invoices?", "And what interest do late payments bear?")
        == "What interest do late payments bear (the payment terms for supplier invoices)?"
    )


@pytest.mark.parametrize(
    ("previous", "follow_up", "standalone"),
    [
        (HOTEL, "上海呢？", "What is the hotel limit per night in 上海?"),
        ("特斯拉是哪一年去世的？", "Where did he live for much of his life?", "Where did 特斯拉 live for much of his life?"),
        ("Who approves expense claims above EUR 2,500?", "它需要多久报销？", "expense claims above EUR 2,500需要多久报销？"),
        (APPROVAL_ZH, "Who approves it?", "Who approves 费用报销超过5万元?"),
    ],
)  # fmt: skip
def test_a_follow_up_in_the_other_language_still_resolves(previous, follow_up, standalone):
    assert after(previous, follow_up) == standalone


@pytest.mark.parametrize(
    "question",
    [
        "How many days of annual leave do I get?",
        "Is it allowed to book an Airbnb instead of a hotel?",
        "Who pays the return shipping for defective goods?",
        "What is the policy that covers remote work?",
        "病假有多少天？",
        "试用期内可以申请年假吗？",
        "其他城市的酒店住宿标准是多少？",
        "新员工入职第一天需要带哪些材料？",
    ],
)
def test_a_question_that_stands_alone_is_left_as_asked(question):
    resolution = resolve_question(
        question, [("user", HOTEL), ("assistant", "EUR 220."), ("user", "上海呢？")]
    )

    assert resolution.question == question and not resolution.changed


def test_without_an_earlier_question_nothing_is_resolved():
    assert not resolve_question("And what about Shanghai?", []).changed
    assert not resolve_question("上海呢？", [("assistant", "您好，有什么可以帮您？")]).changed


def test_a_chain_of_follow_ups_keeps_its_topic():
    history = [
        ("user", HOTEL),
        ("assistant", "EUR 220."),
        ("user", "And what about Munich?"),
        ("assistant", "EUR 170."),
    ]

    assert resolve_question("上海呢？", history).question == "What is the hotel limit per night in 上海?"


def test_only_the_users_questions_are_read_never_the_answers():
    answer = "Questions go to Maria Gonzalez, maria.gonzalez@northwind-robotics.example."

    assert "Maria" not in after(HOTEL, "And what about Shanghai?", answer=answer)


def test_resolving_takes_well_under_twenty_milliseconds():
    history = [("user", APPROVAL_ZH), ("assistant", "财务总监。" * 60)] * 3
    started = time.perf_counter()
    for question in [
        "那采购合同呢？",
        "And what about Shanghai?",
        "它需要谁审批？",
        "How many days of annual leave do I get?",
    ] * 25:
        resolve_question(question, history)
    assert (time.perf_counter() - started) * 1000 / 100 < 20
