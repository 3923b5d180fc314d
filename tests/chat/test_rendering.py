"""Answers quote documents and come from models: their markdown is rendered, never trusted."""

from kb_assistant.chat.history import history_window
from kb_assistant.chat.rendering import render_markdown


def test_markdown_formatting_survives():
    html = render_markdown("**25 days** of leave:\n\n- approved by the manager\n- in the HR portal [1]")
    assert "<strong>25 days</strong>" in html and "<li>approved by the manager</li>" in html


def test_script_and_event_handlers_from_a_document_are_removed():
    html = render_markdown(
        'Quote: <script>window.__xss = 1</script> <img src=x onerror="window.__xss = 2">'
        ' <a href="javascript:window.__xss=3">click</a> <b onclick="window.__xss=4">bold</b>'
    )
    assert "script" not in html and "onerror" not in html and "<img" not in html
    assert "javascript:" not in html and "onclick" not in html
    assert "<b>bold</b>" in html


def test_links_open_without_giving_the_page_away(settings):
    settings.KB_TRUSTED_LINK_HOSTS = ["hr.example"]  # others are made inert (test_api_links.py)
    html = render_markdown("[portal](https://hr.example/leave)")
    assert 'href="https://hr.example/leave"' in html and "noopener" in html


def test_a_follow_up_carries_only_the_last_three_pairs_with_answers_cut():
    turns = []
    for n in range(5):
        turns += [("user", f"question {n}"), ("assistant", f"answer {n} " + "x" * 500)]

    window = history_window(turns)

    assert [text for role, text in window if role == "user"] == ["question 2", "question 3", "question 4"]
    assert all(len(text) <= 300 for role, text in window if role == "assistant")
    assert window[-1][1].endswith("…")
