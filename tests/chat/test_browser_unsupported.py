"""An unsupported number in a local draft never reaches the page (issue 11).

The local model here is a model server on company machines (LOCAL_LLM_BASE_URL): a scripted
OpenAI-compatible server on loopback that streams a fixed draft, so the test knows exactly
what the model said. The rest is the product: the real pipeline, index, streaming endpoint
and chat page in Debian's Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser import browser_page, log_in
from tests.chat.test_browser import ask, start_conversation
from tests.conftest import PASSWORD
from tests.misbehaving_cloud import MisbehavingCloud

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUPPORTED = "Each employee gets 25 days of annual leave per calendar year [1]."
# 40 days is in no document: the draft invents it.
INVENTED = "Unused days carry over for 40 days after 31 March [1]."


@pytest.fixture
def scripted_local_model(settings):
    server = MisbehavingCloud(answer=f"{SUPPORTED} {INVENTED}")
    settings.OPENAI_API_KEY = ""  # offline: every answer is the local route's
    settings.LOCAL_LLM_BASE_URL = server.base_url
    settings.LOCAL_DRAFT_SECONDS = 30.0  # a busy machine must not time the draft out
    yield server
    server.close()


def test_a_drafted_sentence_with_an_invented_number_never_reaches_the_page(
    live_server, handbook, alice, scripted_local_model
):
    with browser_page() as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, "How many days of annual leave does every employee get?")
        answer = page.locator("article[id^=answer-]")
        expect(answer).to_be_visible(timeout=300_000)  # the first question loads the models
        expect(page.locator("[data-testid=stop]")).to_be_hidden(timeout=120_000)

        text = answer.locator(".answer").inner_text()
        page.reload()  # the stored answer too
        stored = page.locator("article[id^=answer-] .answer").inner_text()

    assert scripted_local_model.arrivals, "the local model server should have been asked for a draft"
    assert "Each employee gets 25 days" in text
    for shown in (text, stored):
        assert "40" not in shown
        assert "carry over for" not in shown
