"""The audit area as an auditor sees it in Chromium: both languages, readable charts, savings
only where a cloud could have been used, and a styled refusal for everyone else."""

import io
import logging
import re

import pytest

from kb_assistant.accounts.models import Preference
from kb_assistant.audit.services import audit_event, audit_request
from kb_assistant.logs import DeniedWithoutTraceback
from router.reasons import Reason, ReasonCode
from router.trace import RetrievedChunk
from tests.audit.conftest import cloud_trace, local_trace
from tests.browser import browser_page, log_in, screenshot, switch_language
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRAVEL = "差旅与报销制度（二〇二六年修订版，适用于全体员工及外派人员的完整规定）"
# Words that may stay as they are in the Chinese pages: formats, acronyms, the product's
# data (usernames, people's names) and the switcher's own "en".
KEPT = {"CSV", "JSON", "Lines", "RAG", "API", "UTC", "SHA", "alice", "bob", "kim", "audrey"}
KEPT |= {"Audrey", "Okafor", "en"}


def _offline(user, question: str):
    return local_trace(
        user,
        question=question,
        reasons=[Reason(ReasonCode.OFFLINE, "offline mode: no cloud model is configured")],
        retrieved=[RetrievedChunk("9:3", 9, TRAVEL, "internal", 0.8)],
    )


def _write_log(alice, bob, kim) -> None:
    """Offline requests, two document events and a permission change, in Chinese data."""
    audit_request(trace=_offline(alice, "年假有几天？"))
    audit_request(trace=_offline(bob, "出差住宿标准是多少？"))
    detail = {"document_id": 9, "title": TRAVEL, "version": 1, "outcome": "created", "size": 2048}
    audit_event(kind="document_upload", user=kim, detail=detail)
    audit_event(
        kind="permission_change",
        user=kim,
        detail={"document_id": 9, "title": TRAVEL, "groups_before": [], "groups_after": ["hr"]},
    )


def _english_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{3,}", text)) - KEPT


def test_an_auditor_switches_to_chinese_and_the_list_and_dashboard_have_no_english_left(
    live_server, audrey, alice, bob, kim
):
    _write_log(alice, bob, kim)
    with browser_page() as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/")
        screenshot(page, "auditor-list-en")
        page.locator("[data-testid=open-record]").last.click()
        page.wait_for_load_state("networkidle")
        screenshot(page, "auditor-record-en")
        switch_language(page, "zh-hans")
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("html").get_attribute("lang") == "zh-hans"
        page.goto(f"{live_server.url}/audit/dashboard/")  # remembered from page to page
        assert page.locator("h1").inner_text() == "审计仪表盘"
    assert Preference.objects.get(user=audrey).language == "zh-hans"

    # The Chinese pages as a Chinese auditor sees them: in a browser whose own widgets (the
    # date filters' "年/月/日") speak Chinese too.
    with browser_page(locale="zh-CN") as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("h1").inner_text() == "审计日志"
        assert _english_words(page.locator("body").inner_text()) == set()
        titles = page.locator("[data-testid=event-document]").all_inner_texts()
        assert titles == [TRAVEL, TRAVEL]  # the permission change and the upload, named
        screenshot(page, "auditor-list-zh")

        page.goto(f"{live_server.url}/audit/dashboard/")
        assert _english_words(page.locator("body").inner_text()) == set()
        screenshot(page, "auditor-dashboard-zh")

        page.goto(f"{live_server.url}/audit/")
        page.locator("[data-testid=open-record]").last.click()  # the oldest: a request
        page.wait_for_load_state("networkidle")
        facts = page.locator("main").inner_text()
        assert "离线：未配置云端模型" in facts and "本地" in facts
        screenshot(page, "auditor-record-zh")
        page.goto(f"{live_server.url}/audit/")
        documents = page.locator("tbody tr").filter(has=page.locator("[data-testid=event-document]"))
        documents.last.locator("[data-testid=open-record]").click()  # the older one: the upload
        page.wait_for_load_state("networkidle")
        event = page.locator("[data-testid=event-detail]").inner_text()
        assert "文档 ID" in event and "已创建" in event and TRAVEL in event
        screenshot(page, "auditor-event-zh")


def test_a_visitor_picks_chinese_on_the_login_page_and_keeps_it_after_logging_in(live_server, audrey):
    with browser_page() as page:
        page.goto(f"{live_server.url}/login/")
        switch_language(page, "zh-hans")
        assert page.locator("main h1").inner_text() == "登录"
        screenshot(page, "visitor-login-zh")
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("h1").inner_text() == "审计日志"


def test_the_language_follows_the_auditor_to_a_new_browser(live_server, audrey):
    Preference.objects.create(user=audrey, language="zh-hans")
    with browser_page(locale="en-US") as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("h1").inner_text() == "审计日志"
        switch_language(page, "en")
        assert page.locator("h1").inner_text() == "Audit log"


def test_offline_requests_count_no_savings_and_the_dashboard_says_so(live_server, audrey, alice, bob, kim):
    _write_log(alice, bob, kim)
    with browser_page() as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/dashboard/")
        savings = page.locator("[data-testid=savings]").inner_text()
        assert "No savings counted" in savings and "saved against plain RAG" not in savings
        assert "2 requests ran offline" in page.locator("[data-testid=offline-note]").inner_text()
        screenshot(page, "auditor-dashboard-en")

    audit_request(trace=cloud_trace(alice))  # with a cloud configured: 540 plain RAG tokens, 61 sent
    with browser_page() as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/dashboard/")
        assert page.locator("[data-testid=savings] .kpi").first.inner_text() == "479"


def test_dashboard_labels_are_at_least_11_px_on_screen_and_none_is_clipped(
    live_server, audrey, alice, bob, kim
):
    _write_log(alice, bob, kim)
    with browser_page(viewport={"width": 1280, "height": 900}) as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/dashboard/")
        texts = page.evaluate(
            """() => Array.from(document.querySelectorAll('svg.chart text')).map((t) => {
                 const svg = t.ownerSVGElement.getBoundingClientRect(), box = t.getBoundingClientRect();
                 return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a,
                         inside: box.left >= svg.left - 0.5 && box.right <= svg.right + 0.5};
               })"""
        )
        documents = page.locator("[data-testid=documents-chart] text.row-label").all_text_contents()
        incidents = page.locator("[data-testid=incidents-chart]").bounding_box()

    assert texts and min(t["px"] for t in texts) >= 11, texts
    assert [t["text"] for t in texts if not t["inside"]] == []  # latency values, long titles
    assert documents and documents[0].startswith("#9 差旅") and documents[0].endswith("…")
    assert incidents["height"] < 90  # nothing to chart: one line, not a large empty card


def test_an_outsider_gets_a_styled_forbidden_page(live_server, oscar):
    with browser_page() as page:
        log_in(page, live_server.url, "oscar", PASSWORD)
        response = page.goto(f"{live_server.url}/audit/")
        card = page.locator("[data-testid=forbidden]")
        assert response.status == 403 and card.is_visible()
        assert page.locator("header .brand").is_visible()  # the site's own frame, not a bare text
        assert card.evaluate("(e) => getComputedStyle(e).backgroundColor") == "rgb(255, 255, 255)"
        screenshot(page, "outsider-forbidden-en")
        switch_language(page, "zh-hans")
        assert page.locator("[data-testid=forbidden] h1").inner_text() == "您无权打开此页面"
        screenshot(page, "outsider-forbidden-zh")


def test_a_refused_page_is_logged_in_one_line_without_a_traceback(client, oscar):
    client.force_login(oscar)
    console = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, DeniedWithoutTraceback) for f in h.filters)
    )
    output = io.StringIO()
    previous = console.setStream(output)  # the server log's own handler, read here
    try:
        assert client.get("/audit/").status_code == 403
    finally:
        console.setStream(previous)

    logged = output.getvalue()
    assert "Forbidden (Permission denied): /audit/" in logged
    assert "Traceback" not in logged
