"""The intent stage: a classifier trained from example questions, and the seeded labels a KB
admin starts from (real embedding model, real database)."""

import pytest

from ingestion.embed import get_embedder
from router.deps import pipeline_deps
from router.intent import OUT_OF_SCOPE, IntentClassifier, IntentPrediction
from router.models import IntentLabel

SMALL_TRAINING_SET = [
    *[
        (q, "leave")
        for q in (
            "How many days of vacation do I have left?",
            "How do I request annual leave?",
            "Can I take unpaid leave next month?",
            "What is the sick leave policy?",
            "Who approves my holiday request?",
            "How do I cancel a day off I booked?",
        )
    ],
    *[
        (q, "vpn")
        for q in (
            "The VPN does not connect from home",
            "How do I install the VPN client?",
            "VPN keeps dropping every few minutes",
            "Which VPN server should I use abroad?",
            "My VPN password expired",
            "Can I use the VPN on my phone?",
        )
    ],
    *[
        (q, "billing.refund")  # label names are arbitrary strings
        for q in (
            "How do I get my money back for a cancelled order?",
            "I was charged twice, can I get a refund?",
            "When will my refund arrive?",
            "Refund the last payment please",
            "How long do refunds take to process?",
            "I want a refund for my subscription",
        )
    ],
    *[
        (q, OUT_OF_SCOPE)
        for q in (
            "What's the weather tomorrow?",
            "Who won the match yesterday?",
            "Give me a pasta recipe",
            "What is the capital of Peru?",
            "Tell me a joke",
            "How tall is the Eiffel tower?",
        )
    ],
]


@pytest.fixture(scope="module")
def classifier() -> IntentClassifier:
    return IntentClassifier.train(SMALL_TRAINING_SET, embedder=get_embedder())


def test_it_labels_questions_it_has_not_seen(classifier):
    assert classifier.predict("How can I book two days off?").label == "leave"
    assert classifier.predict("the vpn connection fails when I'm at home").label == "vpn"
    assert classifier.predict("I'd like my money refunded").label == "billing.refund"


def test_it_sends_questions_about_the_weather_to_out_of_scope(classifier):
    prediction = classifier.predict("Will it be sunny in London this weekend?")

    assert prediction.label == OUT_OF_SCOPE
    assert 0.0 <= prediction.confidence <= 1.0


def test_a_prediction_carries_a_score_for_every_label(classifier):
    prediction = classifier.predict("How do I request annual leave?")

    assert isinstance(prediction, IntentPrediction)
    assert set(prediction.scores) == {"leave", "vpn", "billing.refund", OUT_OF_SCOPE}
    assert prediction.confidence == pytest.approx(prediction.scores["leave"], abs=1e-3)
    assert prediction.confidence > 0.5


def test_predicting_many_gives_the_same_answers_as_one_at_a_time(classifier):
    questions = ["My VPN password expired", "Refund the last payment please", "What's the weather tomorrow?"]

    assert [p.label for p in classifier.predict_many(questions)] == [
        classifier.predict(q).label for q in questions
    ]
    assert classifier.predict_many([]) == []


def test_training_needs_an_in_scope_label():
    with pytest.raises(ValueError, match="in-scope"):
        IntentClassifier.train([("What's the weather?", OUT_OF_SCOPE)], embedder=get_embedder())


def test_a_single_label_without_out_of_scope_examples_still_trains():
    classifier = IntentClassifier.train(
        [("How do I request annual leave?", "leave"), ("How many vacation days do I have?", "leave")],
        embedder=get_embedder(),
    )

    assert classifier.predict("How do I book a day off?").label == "leave"


# --- the seeded labels, as the pipeline's intent model serves them --------------------------


def classify_intent(question: str) -> IntentPrediction:
    return pipeline_deps().intents.classify(question)


ENGLISH = {
    "How many vacation days do new employees get?": "hr_admin",
    "Where do I apply for maternity leave?": "hr_admin",
    "Who has to sign the contract with our new supplier?": "legal",
    "Do I need a non-disclosure agreement with this consultant?": "legal",
    "I can't log in to the VPN": "it_process",
    "How do I reset my email password?": "it_process",
    "How do I get reimbursed for a hotel bill?": "finance",
    "What is the approval limit for purchases?": "finance",
    "hey, good afternoon": "chitchat",
    "thanks so much!": "chitchat",
}
CHINESE = {
    "我想请三天年假，怎么申请？": "hr_admin",
    "这份采购合同需要法务审核吗？": "legal",
    "合同里的保密条款是什么意思？": "legal",
    "如何连接公司VPN？": "it_process",
    "出差的住宿费怎么报销？": "finance",
    "报销的发票丢了怎么办？": "finance",
    "谢谢你": "chitchat",
}


@pytest.mark.django_db
def test_seeded_labels_classify_company_questions_in_english():
    assert {q: classify_intent(q).label for q in ENGLISH} == ENGLISH


@pytest.mark.django_db
def test_seeded_labels_classify_company_questions_in_chinese():
    assert {q: classify_intent(q).label for q in CHINESE} == CHINESE


@pytest.mark.django_db
def test_seeded_labels_send_the_weather_and_sports_to_out_of_scope():
    for question in ("What's the weather in Paris?", "Who won the World Cup in 2018?", "上海明天会下雨吗？"):
        assert classify_intent(question).label == OUT_OF_SCOPE, question


def test_the_classifier_is_rebuilt_after_a_label_edit(db):
    question = "Where can I park my car at the office?"
    assert classify_intent(question).label != "facilities"

    facilities = IntentLabel.objects.create(
        name="facilities",
        title="Facilities",
        examples="\n".join(
            [
                "Is there a parking garage at the office?",
                "How do I get a parking permit for the car park?",
                "Where is the canteen?",
                "What time does the canteen open?",
                "Who do I call when the meeting room heating is broken?",
                "How do I book a desk in the office?",
            ]
        ),
    )
    assert classify_intent(question).label == "facilities"

    facilities.enabled = False
    facilities.save()
    assert classify_intent(question).label != "facilities"


def test_without_any_labels_every_question_is_general(db):
    IntentLabel.objects.all().delete()

    prediction = classify_intent("How many vacation days do I have?")

    assert prediction.label == "general"
    assert prediction.scores == {}
