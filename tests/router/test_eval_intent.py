"""`manage.py eval_intent`: train on one JSONL file, label another, report the figures."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

TRAIN = {
    "book_flight": [
        "book me a flight to Berlin",
        "I need a plane ticket to Rome on Friday",
        "find flights from Paris to Madrid",
        "reserve a seat on the morning flight to Oslo",
        "get me on a plane to Tokyo next week",
        "can you book a flight for tomorrow",
    ],
    "play_music": [
        "play some jazz",
        "put on my workout playlist",
        "I want to hear the latest album by Adele",
        "start playing classical music",
        "play a song by the Beatles",
        "turn on some relaxing music",
    ],
    "set_alarm": [
        "set an alarm for 7am",
        "wake me up at six tomorrow",
        "create an alarm for 5:30",
        "alarm at noon please",
        "set my alarm for eight thirty",
        "I need an alarm at 6 in the morning",
    ],
    "out_of_scope": [
        "how do I fix a flat bicycle tyre",
        "what is the population of Canada",
        "who painted the Mona Lisa",
        "how many legs does a spider have",
        "what's the best way to learn piano",
        "is a tomato a fruit",
    ],
}
TEST = [
    ("book a flight from London to Dublin", "book_flight"),
    ("find me a plane ticket to Lisbon", "book_flight"),
    ("play something by Queen", "play_music"),
    ("put on some rock music", "play_music"),
    ("wake me up at 5am", "set_alarm"),
    ("set an alarm for half past seven", "set_alarm"),
    ("what is the boiling point of water", "out_of_scope"),
    ("who wrote War and Peace", "out_of_scope"),
]


def _write(path, rows) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture
def files(tmp_path):
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    _write(train, [{"text": t, "label": label} for label, texts in TRAIN.items() for t in texts])
    _write(test, [{"text": t, "label": label} for t, label in TEST])
    return train, test, tmp_path / "out.jsonl"


def test_it_writes_one_prediction_per_test_line_and_a_summary(files):
    train, test, out = files
    stdout = io.StringIO()

    call_command("eval_intent", train=str(train), test=str(test), out=str(out), stdout=stdout)

    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [line["text"] for line in lines] == [t for t, _ in TEST]
    assert all(set(line) == {"text", "predicted"} for line in lines)
    summary = json.loads(stdout.getvalue())
    assert {"accuracy", "in_scope_accuracy", "out_of_scope_recall", "p50_ms", "p95_ms"} <= set(summary)
    assert summary["questions"] == len(TEST)
    assert summary["accuracy"] >= 0.75
    assert summary["in_scope_accuracy"] == 1.0
    assert 0 < summary["p50_ms"] <= summary["p95_ms"]


def test_its_accuracy_matches_the_predictions_it_wrote(files):
    train, test, out = files
    stdout = io.StringIO()

    call_command("eval_intent", train=str(train), test=str(test), out=str(out), stdout=stdout)

    predicted = [json.loads(line)["predicted"] for line in out.read_text(encoding="utf-8").splitlines()]
    correct = sum(p == label for p, (_, label) in zip(predicted, TEST, strict=True))
    assert json.loads(stdout.getvalue())["accuracy"] == round(correct / len(TEST), 4)


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command(
            "eval_intent",
            train=str(tmp_path / "nope.jsonl"),
            test=str(tmp_path / "nope.jsonl"),
            out=str(tmp_path / "out.jsonl"),
        )
