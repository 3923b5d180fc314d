import pytest
from playwright.sync_api import expect

from ingestion.models import Document
from tests.browser import browser_page, log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_kb_admin_uploads_a_file_and_watches_it_reach_indexed(
    live_server, celery_worker, empty_index, kim, tmp_path
):
    upload = tmp_path / "remote-work-policy.md"
    upload.write_text(
        "# Remote work policy\n\n## Eligibility\nEmployees may work remotely up to three days a week.\n\n"
        "## Equipment\nThe company provides a laptop and a monitor for home use.\n"
    )
    with browser_page() as page:
        log_in(page, live_server.url, "kim", PASSWORD)
        page.goto(f"{live_server.url}/kb/")
        page.set_input_files("input[type=file]", str(upload))
        page.check(f"input[name=groups][value='{kim.groups.get(name='employees').pk}']")
        page.select_option("select[name=sensitivity]", "internal")
        page.click("#upload-form button[type=submit]")

        row = page.locator("#documents tr", has_text="remote-work-policy")
        expect(row.locator("[data-role=status]")).to_have_text("Ready", timeout=120_000)
        expect(row.locator("[data-role=chunks]")).not_to_have_text("0")
        row.locator("a").first.click()
        expect(page.locator("pre.chunk").first).to_contain_text("remotely")

    document = Document.objects.get(original_name="remote-work-policy.md")
    assert document.status == "indexed" and document.uploaded_by == kim
