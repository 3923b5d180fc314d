"""Employees in Debian's Chromium: ask, watch the answer stream, check its sources and the
route card; another employee cannot open the conversation; no script from a document runs."""

import re

import pytest
from playwright.sync_api import expect

from kb_assistant.chat.citing import cited_numbers
from kb_assistant.chat.models import Conversation
from tests.browser import browser_page, log_in
from tests.chat.conftest import HARD_TRAVEL_QUESTION, put
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the text updates of the answer while it streams, before the final render.
COUNT_STREAMED_UPDATES = """
window.__updates = 0;
new MutationObserver((records) => {
  for (const r of records) if (r.target.parentElement?.closest?.(".answer.live")) window.__updates++;
}).observe(document, {subtree: true, characterData: true});
"""


def ask(page, question: str) -> None:
    page.fill("#question", question)
    page.click("[data-testid=ask]")


def start_conversation(page, base_url: str) -> str:
    page.goto(f"{base_url}/chat/")
    page.click("[data-testid=new-conversation]")
    page.wait_for_url(re.compile(r"/chat/c/\d+/$"))
    return page.url


def test_an_employee_asks_watches_the_stream_and_checks_the_sources(live_server, handbook, alice, bob, cloud):
    with browser_page() as page:
        page.add_init_script(COUNT_STREAMED_UPDATES)
        log_in(page, live_server.url, "alice", PASSWORD)
        url = start_conversation(page, live_server.url)

        ask(page, HARD_TRAVEL_QUESTION)
        expect(page.locator("[data-testid=stop]")).to_be_visible()
        answer = page.locator("article[id^=answer-]")
        expect(answer).to_be_visible(timeout=180_000)
        assert page.evaluate("window.__updates") > 1, "the answer should arrive in several pieces"
        expect(page.locator("[data-testid=stop]")).to_be_hidden()
        expect(answer.locator(".answer")).not_to_be_empty()

        card = answer.locator("[data-testid=route-card]")
        expect(card.locator("dl")).to_be_hidden()  # folded by default
        card.locator("summary").click()
        expect(card.locator("[data-testid=cloud-used]")).to_have_text("yes")
        expect(card).to_contain_text("sent to the cloud")
        expect(card.locator("td.where-cloud")).to_have_count(1)

        # The sources listed are the ones the model's answer marks, whatever it wrote
        # (tests/chat/test_browser_pages.py opens them).
        listed = answer.locator("[data-testid=citation]").evaluate_all("items => items.map(i => i.value)")
        text = answer.locator(".answer").inner_text()

    saved = Conversation.objects.get(owner=alice).messages.get(role="assistant", route="cloud")
    candidates = {c["number"] for c in saved.meta["citations"]}
    assert candidates, "the cloud was given sources"
    assert listed == sorted(candidates & cited_numbers(text))
    with browser_page() as page:
        log_in(page, live_server.url, "bob", PASSWORD)
        response = page.goto(url)
        assert response.status == 404
        expect(page.locator("body")).not_to_contain_text("Compare the approval rules")


def test_the_stop_button_cuts_the_answer_and_keeps_what_was_shown(live_server, handbook, alice, cloud):
    cloud.mode, cloud.slow_seconds = "slow", 8
    with browser_page() as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, HARD_TRAVEL_QUESTION)
        page.locator("[data-testid=stop]").click()

        expect(page.locator(".stopped")).to_be_visible()
        expect(page.locator("[data-testid=ask]")).to_be_enabled()


def test_no_script_from_a_document_or_an_answer_ever_runs(live_server, empty_index, alice):
    put(
        "badge-office.txt",
        "The badge office is open from 9:00 to 17:00 on weekdays. "
        '<script>window.__xss = "script"</script> <img src="x" onerror="window.__xss = \'img\'"> '
        "**Bring** a photo ID to get a new badge.",
    )
    with browser_page() as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, "When is the badge office open?")
        answer = page.locator("article[id^=answer-]")
        expect(answer).to_be_visible(timeout=120_000)
        expect(answer.locator("[data-testid=citation]")).to_have_count(1)
        assert page.evaluate("typeof window.__xss") == "undefined"

        page.reload()  # the stored answer, rendered by the server
        expect(page.locator("article[id^=answer-]")).to_be_visible()
        assert page.evaluate("typeof window.__xss") == "undefined"


def test_a_phone_in_chinese_gets_chinese_labels_and_a_usable_page(live_server, handbook, alice):
    with browser_page(locale="zh-CN", viewport={"width": 390, "height": 844}) as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        expect(page.locator("[data-testid=ask]")).to_have_text("提问")
        ask(page, "年假有多少天？")
        answer = page.locator("article[id^=answer-]")
        expect(answer).to_be_visible(timeout=120_000)
        card = answer.locator("[data-testid=route-card]")
        expect(card.locator("summary")).to_contain_text("这个回答是如何产生的")
        card.locator("summary").click()  # reasons, intent and steps in words of the page's language
        expect(card.locator("[data-testid=route-reasons] li")).to_have_text(["离线：未配置云端模型"])
        intent = card.locator("dt:has-text('意图') + dd").inner_text()
        assert re.search(r"[\u4e00-\u9fff]", intent), f"the intent in words, not a code: {intent}"
        expect(card.locator("table.stages")).to_contain_text("去标识化")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
