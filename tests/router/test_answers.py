"""The local model's draft streams a sentence at a time, and only while it sticks to the context."""

from router.answers import grounded_sentences

CONTEXT = (
    "[1] Leave policy: Every employee receives 25 days of annual leave per calendar year. "
    "Unused days carry over until 31 March. Requests are approved by the line manager."
)


def streamed(text: str, size: int = 3) -> list[str]:
    """The draft cut into token-sized pieces, the way the model streams it."""
    return list(grounded_sentences((text[i : i + size] for i in range(0, len(text), size)), CONTEXT))


def test_a_grounded_draft_arrives_sentence_by_sentence_and_whole():
    draft = "Every employee receives 25 days of annual leave [1]. Unused days carry over until 31 March."

    released = streamed(draft)

    assert len(released) == 2
    assert "".join(released) == draft


def test_the_draft_stops_before_the_first_sentence_that_states_something_the_context_does_not():
    released = streamed("Every employee receives 25 days of annual leave. Managers also get 40 bonus days.")

    assert "".join(released).strip() == "Every employee receives 25 days of annual leave."


def test_a_draft_that_strays_at_once_yields_nothing_so_the_passages_are_quoted_instead():
    assert streamed("You get 40 days off. Every employee receives 25 days of annual leave.") == []
    assert streamed("Vacation entitlement depends on seniority and negotiation.") == []


def test_a_draft_too_short_to_say_anything_yields_nothing():
    assert streamed("Leave.") == []


def test_a_looping_draft_is_cut_at_the_first_repetition():
    released = streamed("Every employee receives 25 days. Every employee receives 25 days. Every employee")

    assert "".join(released).strip() == "Every employee receives 25 days."


def test_line_breaks_and_list_markers_survive():
    draft = "Two rules:\n1. Every employee receives 25 days\n2. Requests are approved by the line manager"

    assert "".join(streamed(draft)) == draft
