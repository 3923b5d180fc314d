"""Post-processing: placeholders back, glossary, compliance filter, on whole texts and streams."""

import pytest

from router.postprocess import ComplianceRules, Filtered, StreamPostProcessor
from router.protect import PlaceholderMap

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
