"""The chat as an employee reads it, in Debian's Chromium (issue 15): each new answer is
scrolled into view and visibly streams, even when it quotes passages all at once; the first
question names the conversation at once; only the sources an answer cites are listed; the
citation page shows the document's title, readable text with the quoted sentence marked and
links to the whole document, the PDF page and back; a phone leaves the screen to the answer.

The models are servers on loopback speaking the OpenAI protocol (tests/misbehaving_cloud.py):
the local one drafts nothing worth showing, so local answers are the quoted passages; the
cloud one answers with a fixed text, so the test knows which sources it cites. The rest is
the product: the real pipeline, index, streaming endpoint and pages."""

import re
from pathlib import Path

import pytest
from django.test import Client
from playwright.sync_api import expect

from kb_assistant.chat.models import Message
from tests.browser import browser_page, log_in, screenshot
from tests.chat.conftest import HARD_TRAVEL_QUESTION, put
from tests.chat.test_browser import ask, start_conversation
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE_PDF = Path(__file__).resolve().parents[2] / "samples" / "travel-and-expense-policy.pdf"
LEAVE_QUESTION = "How many days of annual leave does every employee receive?"
QUESTIONS = (LEAVE_QUESTION, "What is the daily allowance in Europe?", "Who approves trips abroad?")
APPROVALS = """# Approvals handbook

## Travel approvals
Trips abroad are approved by the department director before anything is booked.
The line manager approves trips within the country in the HR portal.
"""

# Every distinct length the live answer had at an animation frame: more than a couple means
# a reader saw it being written, not appear in one piece.
SAMPLE_FRAMES = """
window.__shown = [];
(function sample() {
  const live = document.querySelector(".answer.live");
  const length = live ? live.textContent.length : 0;
  if (length && window.__shown[window.__shown.length - 1] !== length) window.__shown.push(length);
  requestAnimationFrame(sample);
})();
"""


def finished_answer(page, n: int):
    answer = page.locator("article[id^=answer-]").nth(n)
    expect(answer).to_be_visible(timeout=180_000)
    expect(page.locator("[data-testid=stop]")).to_be_hidden(timeout=60_000)
    return answer


def in_viewport(page, locator) -> bool:
    """Whether the element's top is on the screen."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] < page.viewport_size["height"]


def wholly_on_screen(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_each_answer_streams_into_view_and_the_first_question_names_the_conversation(
    live_server, handbook, alice, quoting_local_model
):
    with browser_page() as page:
        page.add_init_script(SAMPLE_FRAMES)
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        expect(page.locator("[data-testid=conversation-title]")).to_have_text("New conversation")

        shown_per_answer = []
        for n, question in enumerate(QUESTIONS):
            page.evaluate("window.__shown = []")
            ask(page, question)
            answer = finished_answer(page, n)
            shown_per_answer.append(page.evaluate("window.__shown.length"))
            if n == 0:  # named at once, without a reload
                expect(page.locator("[data-testid=conversation-title]")).to_have_text(LEAVE_QUESTION)
                expect(page.locator(".conversations li.current a")).to_have_text(LEAVE_QUESTION)
                assert page.title().startswith(LEAVE_QUESTION)
        assert page.evaluate("document.documentElement.scrollHeight") > 1.3 * page.viewport_size["height"]
        assert wholly_on_screen(page, answer.locator(".answer")), "the third answer should be on the screen"
        assert not in_viewport(page, page.locator("article[id^=answer-]").first)
        expect(answer.locator(".answer")).to_contain_text("Here is what your documents say")
        screenshot(page, "employee-chat-en")

    assert all(states >= 3 for states in shown_per_answer), f"text states per answer: {shown_per_answer}"


def test_only_the_sources_an_answer_cites_are_listed(live_server, handbook, alice, scripted_cloud):
    put("approvals.md", APPROVALS, groups=["employees"])
    scripted_cloud.answer = "Trips abroad need the department director's approval [1]."
    with browser_page() as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, HARD_TRAVEL_QUESTION)
        answer = finished_answer(page, 0)
        expect(answer.locator("[data-testid=citation]")).to_have_count(1)
        expect(answer.locator("[data-testid=citation]")).to_have_attribute("value", "1")

        scripted_cloud.answer = "The documents do not say why the thresholds differ."  # a refusal
        ask(page, HARD_TRAVEL_QUESTION)
        refusal = finished_answer(page, 1)
        expect(refusal.locator(".citations")).to_have_count(0)

        page.reload()  # the saved answers, rendered by the server
        expect(page.locator("article[id^=answer-]").first.locator("[data-testid=citation]")).to_have_count(1)
        expect(page.locator("article[id^=answer-]").nth(1).locator(".citations")).to_have_count(0)

    stored = Message.objects.filter(role="assistant", route="cloud").order_by("pk")
    assert [len(m.meta["citations"]) > 1 for m in stored] == [True, True], "more sources were read than cited"


def test_a_not_found_answer_lists_no_sources(live_server, handbook, alice, quoting_local_model):
    with browser_page(locale="zh-CN") as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, "公司食堂周五供应什么口味的冰淇淋？")
        answer = finished_answer(page, 0)
        expect(answer.locator(".answer")).to_contain_text("没有找到")
        expect(answer.locator(".citations")).to_have_count(0)
        ask(page, "年假有多少天？")
        expect(finished_answer(page, 1).locator("[data-testid=citation]").first).to_be_visible()
        screenshot(page, "employee-chat-zh")


@pytest.mark.parametrize(
    ("locale", "question", "back", "whole", "pdf_page"),
    [
        ("en-US", "How many days before departure must international trips be requested?",
         "Back to the conversation", "Read the whole document", r"Open the PDF at page \d+"),
        ("zh-CN", "国际出差需要在出发前多少天申请？", "返回对话", "阅读整篇文档", r"在 PDF 中打开第 \d+ 页"),
    ],
)  # fmt: skip
def test_the_citation_page_shows_the_title_the_quoted_sentence_and_its_links(
    live_server, empty_index, alice, quoting_local_model, locale, question, back, whole, pdf_page
):
    pdf = put(SAMPLE_PDF.name, SAMPLE_PDF.read_bytes(), groups=["employees"])
    with browser_page(locale=locale) as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        conversation_url = start_conversation(page, live_server.url)
        ask(page, question)
        answer = finished_answer(page, 0)
        expect(answer.locator(".answer")).to_contain_text("21 days")
        with page.context.expect_page() as opened:
            answer.locator("[data-testid=citation]", has_text="21 days").locator("a.cite").first.click()
        cited = opened.value

        expect(cited.locator("[data-testid=document-title]")).to_have_text("Travel and Expense Policy")
        text = cited.locator("[data-testid=passage-text]")
        assert "mono" not in text.evaluate("node => getComputedStyle(node).fontFamily")
        expect(cited.locator("[data-testid=cited-sentence]").first).to_be_visible()
        expect(cited.locator("[data-testid=cited-sentence]", has_text="21 days")).to_have_count(1)
        screenshot(cited, f"employee-citation-{locale[:2]}")
        expect(cited.get_by_role("link", name=re.compile(pdf_page))).to_have_attribute(
            "href", re.compile(rf"/kb/{pdf.pk}/file\?preview#page=\d+$")
        )
        back_link = cited.get_by_role("link", name=back)
        expect(back_link).to_have_attribute("href", re.compile(r"/chat/c/\d+/#answer-\d+$"))

        cited.get_by_role("link", name=whole).click()
        expect(cited.locator("h1")).to_have_text("Travel and Expense Policy")
        body = cited.locator(".passage-text").inner_text()
        assert body.count("at least 21 days before departure") == 1, "overlapping chunks shown once"
        assert "Business class is allowed only" in body

        cited.go_back()
        cited.get_by_role("link", name=back).click()
        assert cited.url.split("#")[0] == conversation_url


def test_a_phone_leaves_the_screen_to_the_answer(live_server, handbook, alice, quoting_local_model):
    with browser_page(locale="zh-CN", viewport={"width": 390, "height": 844}) as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        assert page.url.endswith("/chat/"), "an employee lands in the chat"
        start_conversation(page, live_server.url)
        ask_button = page.locator("[data-testid=ask]")
        expect(ask_button).to_have_text("提问")
        lines = ask_button.evaluate(
            "b => { const r = document.createRange(); r.selectNodeContents(b); return r.getClientRects().length; }"
        )
        assert lines == 1, "提问 should not wrap"
        expect(page.locator("[data-testid=conversation-menu]")).not_to_have_attribute("open", "")
        expect(page.locator("[data-testid=offline-banner]")).to_have_count(1)
        expect(page.locator(".pane .note")).to_have_count(0)  # the offline notice only once
        messages_top = page.locator("#messages").bounding_box()["y"]
        assert messages_top < 0.4 * 844, f"the answer area starts {messages_top:.0f} px down"

        ask(page, "年假有多少天？")
        answer = finished_answer(page, 0)
        assert in_viewport(page, answer)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "employee-phone-zh")


def test_kb_admins_and_auditors_keep_a_home_page_with_their_areas(kim):
    client = Client()
    client.force_login(kim)
    response = client.get("/")
    assert response.status_code == 200
    assert b"/kb/" in response.content and b"/chat/" in response.content


def test_a_question_the_web_tier_sheds_says_to_ask_again(live_server, handbook, alice, settings):
    settings.WEB_ANSWERS_IN_FLIGHT, settings.WEB_RETRY_AFTER_SECONDS = 0, 2  # every answer refused
    with browser_page(locale="zh-CN") as page:
        log_in(page, live_server.url, "alice", PASSWORD)
        start_conversation(page, live_server.url)
        ask(page, "年假有多少天？")
        expect(page.locator("#messages .error")).to_have_text("当前正在生成的回答较多，请 2 秒后再问。")
        expect(page.locator("[data-testid=ask]")).to_be_enabled()
    assert not Message.objects.filter(conversation__owner=alice).exists()
