"""An auditor, in a real browser, narrows the log to cloud-routed requests and reads one."""

import os

import pytest

from kb_assistant.audit.services import audit_request
from tests.audit.conftest import cloud_trace, local_trace
from tests.browser import browser_page, log_in
from tests.conftest import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_auditor_filters_to_cloud_requests_and_reads_what_was_sent(live_server, audrey, alice, bob):
    audit_request(trace=local_trace(bob))
    sent = audit_request(trace=cloud_trace(alice))
    audit_request(trace=local_trace(alice))

    with browser_page() as page:
        log_in(page, live_server.url, "audrey", PASSWORD)
        page.goto(f"{live_server.url}/audit/")
        assert page.locator("[data-testid=audit-table] tbody tr").count() == 4  # three requests and her login

        page.select_option("select[name=route]", "cloud")
        page.click("[data-testid=audit-filters] button[type=submit]")
        page.wait_for_url("**/audit/?*route=cloud*")
        rows = page.locator("[data-testid=audit-table] tbody tr")
        assert rows.count() == 1 and rows.first.get_attribute("data-route") == "cloud"

        rows.first.locator("[data-testid=open-record]").click()
        page.wait_for_url(f"**/audit/{sent.pk}/")
        payload = page.locator("[data-testid=cloud-payload]")
        assert "Ask <PERSON_1> (<EMAIL_1>) if unsure." in payload.inner_text()
        assert "maria.gonzalez@northwind.example" in page.locator("[data-testid=local-context]").inner_text()
        assert "maria.gonzalez" not in payload.inner_text()
