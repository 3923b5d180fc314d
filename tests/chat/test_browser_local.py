"""The local route in Debian's Chromium: the first words (the best cited passages) are on the
page at once, before the model has said anything, and Stop keeps exactly what the page showed.

The local model is a model server on company machines (LOCAL_LLM_BASE_URL): a scripted
OpenAI-compatible server on loopback streaming a grounded draft slowly, as a model on a busy
CPU would, so the test knows when the draft is still being written."""

from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from kb_assistant.chat.models import Message
from router.warm import warm_local_models
from tests.browser import browser_page, log_in
from tests.chat.test_browser import ask, start_conversation
from tests.conftest import PASSWORD
from tests.misbehaving_cloud import MisbehavingCloud

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "How many days of annual leave does every employee receive?"
DRAFT = (
    "Every employee receives 25 days of annual leave per calendar year [1]. "
    "Unused days carry over until 31 March [1]."
)
FIRST_WORDS_MS = 2_000  # the goal is 1 s (bench/chat.py measures it); a busy CI machine gets slack

# When the question was sent and when the answer's first characters appeared, page time.
TIME_FIRST_WORDS = """
window.__askedAt = null; window.__firstWordsAt = null;
document.addEventListener("click", (event) => {
  if (event.target.closest?.("[data-testid=ask]")) window.__askedAt = performance.now();
}, true);
new MutationObserver(() => {
  if (window.__firstWordsAt === null && document.querySelector(".answer.live")?.textContent.trim())
    window.__firstWordsAt = performance.now();
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.fixture
def slow_local_model(settings):
    server = MisbehavingCloud(answer=DRAFT, seconds_per_piece=0.4)
    settings.OPENAI_API_KEY = ""  # offline: the local route
    settings.LOCAL_LLM_BASE_URL = server.base_url
    settings.LOCAL_DRAFT_SECONDS = 60.0
    yield server
    server.close()


def test_first_words_come_before_the_model_and_stop_keeps_what_was_shown(
    live_server, handbook, alice, slow_local_model
):
    warm_local_models()  # as `make run` does before it prints the URL
    with browser_page() as page:
        page.add_init_script(TIME_FIRST_WORDS)
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, QUESTION)
        live = page.locator(".answer.live")
        expect(live).to_contain_text("25 days", timeout=60_000)
        first_words_ms = page.evaluate("window.__firstWordsAt - window.__askedAt")
        assert "In short" not in live.inner_text(), "the quote comes before the model's first sentence"

        expect(live).to_contain_text("In short:", timeout=60_000)  # the draft is being written
        with page.expect_request("**/stop/") as stop:
            page.locator("[data-testid=stop]").click()
        posted = {name: values[0] for name, values in parse_qs(stop.value.post_data).items()}
        expect(page.locator(".stopped")).to_be_visible()

    assert first_words_ms < FIRST_WORDS_MS, f"first words after {first_words_ms:.0f} ms"
    answer = Message.objects.get(role="assistant", request_id=posted["request_id"])
    assert answer.text == posted["shown"] and answer.meta["stopped"] is True
    assert answer.text.startswith("Here is what your documents say:") and "In short:" in answer.text
    assert "Unused days" not in answer.text, "the draft's second sentence had not been shown"
