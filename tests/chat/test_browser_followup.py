"""An employee in Debian's Chromium asks about hotel limits, then follows up with a fragment;
the follow-up is answered from the hotel table and its route card shows the resolved question,
in English and in Chinese."""

import pytest
from playwright.sync_api import expect

from tests.browser import browser_page, log_in
from tests.chat.conftest import put
from tests.chat.test_browser import ask, start_conversation
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOTELS = """# Travel policy

## Hotels
Employees stay in standard rooms in business hotels. The nightly limits include taxes.

| City tier | Examples | Limit per night |
| --- | --- | --- |
| Tier 1 | London, Paris, Shanghai | EUR 220 |
| Tier 2 | Munich, Berlin, Milan | EUR 170 |
| Tier 3 | All other cities | EUR 130 |
"""


def answer_number(page, n: int):
    answer = page.locator("article[id^=answer-]").nth(n)
    expect(answer).to_be_visible(timeout=180_000)
    expect(page.locator("[data-testid=stop]")).to_be_hidden(timeout=180_000)
    return answer


@pytest.mark.parametrize(
    ("locale", "first", "follow_up", "resolved", "label"),
    [
        ("en-US", "What is the hotel limit per night in London?", "And what about Munich?",
         "What is the hotel limit per night in Munich?", "Resolved question"),
        ("zh-CN", "伦敦的酒店每晚住宿限额是多少？", "慕尼黑呢？", "慕尼黑的酒店每晚住宿限额是多少？", "补全后的问题"),
    ],
)  # fmt: skip
def test_a_follow_up_in_the_chat_shows_its_resolved_question(
    live_server, empty_index, alice, locale, first, follow_up, resolved, label
):
    put("travel.md", HOTELS, groups=["employees"])
    with browser_page(locale=locale) as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, first)
        first_card = answer_number(page, 0).locator("[data-testid=route-card]")
        expect(first_card.locator("[data-testid=resolved-question]")).to_have_count(0)

        ask(page, follow_up)
        answer = answer_number(page, 1)
        expect(answer.locator(".answer")).to_contain_text("170")
        expect(answer.locator("[data-testid=citation]")).not_to_have_count(0)
        card = answer.locator("[data-testid=route-card]")
        card.locator("summary").click()
        expect(card.locator("dt", has_text=label)).to_be_visible()
        expect(card.locator("[data-testid=resolved-question]")).to_have_text(resolved)
