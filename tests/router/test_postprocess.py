"""Post-processing: placeholders back, glossary, compliance filter, on whole texts and streams."""

import pytest

from router.answers import word_pieces
from router.postprocess import ComplianceRules, Filtered, StreamPostProcessor
from router.protect import PlaceholderMap, protect_request

pytestmark = pytest.mark.django_db  # none needed, but the recognizers read settings


def postprocess(text: str, *, mapping: PlaceholderMap, rules: ComplianceRules) -> Filtered:
    processor = StreamPostProcessor(mapping=mapping, rules=rules)
    out = processor.feed(text) + processor.flush()
    return Filtered(out, processor.actions)


def test_it_restores_placeholders_applies_the_glossary_and_records_both():
    mapping = PlaceholderMap()
    person = mapping.placeholder_for("PERSON", "Maria Gonzalez")
    rules = ComplianceRules(glossary=[("wifi", "Wi-Fi")], visible_values=frozenset({"Maria Gonzalez"}))

    result = postprocess(f"Ask **{person.lower()}** about the wifi.", mapping=mapping, rules=rules)

    assert result.text == "Ask **Maria Gonzalez** about the Wi-Fi."
    assert {a.kind for a in result.actions} == {"placeholder_restored", "glossary"}


def test_it_removes_secrets_personal_data_the_user_may_not_see_and_blocked_terms():
    rules = ComplianceRules(blocked_terms=["Project Falcon"], visible_values=frozenset())
    text = "Use password: hunter2hunter, call Tom Becker at +49 151 2345 6789 about Project Falcon."

    result = postprocess(text, mapping=PlaceholderMap(), rules=rules)

    for leaked in ("hunter2hunter", "Tom Becker", "2345 6789", "Project Falcon"):
        assert leaked not in result.text
    assert {"secret_removed", "pii_masked", "blocked_term"} <= {a.kind for a in result.actions}


def test_a_stream_is_filtered_a_sentence_at_a_time_even_when_values_are_split():
    mapping = PlaceholderMap()
    email = mapping.placeholder_for("EMAIL", "maria@northwind.example")
    rules = ComplianceRules(visible_values=frozenset({"maria@northwind.example"}))
    processor = StreamPostProcessor(mapping=mapping, rules=rules)
    chunks = ["Write to ", email[:4], email[4:], ". The api key sk-abcdefghij", "klmnopqrstuvwx is secret."]

    out = "".join(processor.feed(chunk) for chunk in chunks) + processor.flush()

    assert out.startswith("Write to maria@northwind.example.")
    assert "sk-abcdefghij" not in out and "[secret removed]" in out


def tokens(text: str, size: int = 3) -> list[str]:
    """Text cut the way a model streams it: a few characters at a time."""
    return [text[i : i + size] for i in range(0, len(text), size)]


def stream(text: str, rules: ComplianceRules, mapping: PlaceholderMap | None = None) -> list[str]:
    processor = StreamPostProcessor(mapping=mapping or PlaceholderMap(), rules=rules)
    pieces = [processor.feed(chunk) for chunk in tokens(text)]
    return [p for p in [*pieces, processor.flush()] if p]


def test_a_long_sentence_streams_in_many_pieces_before_it_ends():
    text = (
        "Trips abroad need approval from the department director and, above five thousand euros, "
        "from the chief financial officer as well, which usually takes about two working days"
    )

    pieces = stream(text, ComplianceRules())

    assert len(pieces) > 10
    assert "".join(pieces) == text


def test_chinese_streams_between_characters_too():
    text = "出国出差需要部门总监批准，超过五千欧元的还需要首席财务官批准，通常需要两个工作日才能完成全部审批流程和手续"

    pieces = stream(text, ComplianceRules())

    assert len(pieces) > 5 and "".join(pieces) == text


def test_no_piece_ever_carries_part_of_a_value_the_filter_removes():
    text = (
        "For the contract questions you can call Tom Becker at +49 151 2345 6789 on weekdays, "
        "and the shared drive password is Winter-Sunrise-2026-Tomato-Bicycle which changes monthly, "
        "and the wiki mentions Project Falcon in several places that you should simply ignore today"
    )
    rules = ComplianceRules(blocked_terms=["Project Falcon"])

    pieces = stream(text, rules)

    joined = "".join(pieces)
    assert len(pieces) > 5
    for fragment in ("Becker", "2345", "6789", "Winter", "Tomato", "Bicycle", "Falcon"):
        assert not any(fragment in piece for piece in pieces), fragment
    assert "[phone removed]" in joined and "[secret removed]" in joined and "[removed]" in joined
    assert joined.endswith("that you should simply ignore today")


READABLE = [
    'The third assessment report featured a graph labeled "Millennial Northern Hemisphere temperature '
    'reconstruction" based on a 1999 paper by Michael E. Mann, Raymond S. Bradley and Malcolm K. Hughes '
    '(MBH99), which has been referred to as the "hockey stick graph".',
    "此外，《中法战争》第七册还收有《越南亡国史》的「前录」，为梁启超与潘佩珠谈话的笔录及梁启超本人的感想。",
]


@pytest.mark.parametrize(
    "answer",
    [
        f"Here is what your documents say:\n\n> {READABLE[0]} [1]",
        "简要回答：梁启超与潘佩珠谈话的笔录及感想 [2]",
    ],
)
def test_names_the_user_can_read_in_the_passages_stay_however_the_answer_cuts_them(answer):
    protected = protect_request(
        question="Who wrote it?",
        context="",
        passages=READABLE,
        history=[],
        mapping=PlaceholderMap(),
        known_names=[],
    )
    rules = ComplianceRules(visible_values=protected.visible_values, visible_text=protected.visible_text)
    processor = StreamPostProcessor(mapping=PlaceholderMap(), rules=rules)

    streamed = "".join(processor.feed(piece) for piece in word_pieces(answer)) + processor.flush()

    assert streamed == answer
    invented = postprocess("Ask Tom Becker about it.", mapping=PlaceholderMap(), rules=rules)
    assert "Tom Becker" not in invented.text, "a name in no readable text still goes"
