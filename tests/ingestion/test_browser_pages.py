"""The knowledge base pages as a KB admin sees them in Chromium: real titles, statuses in
words, a version history, the original file, safer reader defaults, filters, two languages."""

import pytest
from playwright.sync_api import expect

from ingestion.models import Document
from kb_assistant.accounts.roles import AUDITORS, KB_ADMINS
from tests.browser import browser_page, log_in, screenshot, switch_language
from tests.conftest import PASSWORD, group

pytestmark = [pytest.mark.browser, pytest.mark.services, pytest.mark.django_db(transaction=True)]

POLICY = (
    "# Remote work policy\n\n## Eligibility\nEmployees may work remotely up to three days a week.\n\n"
    "## Equipment\nThe company provides a laptop and a monitor for home use.\n"
)
POLICY_V2 = POLICY + (
    "\n## Expenses\nInternet costs are refunded up to 30 EUR a month against a receipt.\n\n"
    "## Security\nWork devices use the VPN at home; printed documents are shredded.\n"
)


def _reload_until_ready(page, seconds: int = 120) -> None:
    """The document page shows the status as it was on loading; the list is the live one."""
    for _ in range(seconds):
        if page.locator("[data-testid=status]").inner_text() == "Ready":
            return
        page.wait_for_timeout(1000)
        page.reload()
    raise AssertionError("the new version did not become ready")


def _upload_from_list(page, path) -> None:
    page.set_input_files("#upload-form input[type=file]", str(path))
    page.click("#upload-form button[type=submit]")


def test_a_kb_admin_sees_the_real_title_a_ready_status_and_the_version_history(
    live_server, celery_worker, empty_index, kim, tmp_path
):
    first, second = tmp_path / "v1" / "remote-work-policy.md", tmp_path / "v2" / "remote-work-policy.md"
    for path, text in ((first, POLICY), (second, POLICY_V2)):
        path.parent.mkdir()
        path.write_text(text)
    with browser_page() as page:
        log_in(page, live_server.url, "kim", PASSWORD)
        page.goto(f"{live_server.url}/kb/")
        _upload_from_list(page, first)  # kim's own reader group is ticked already
        status = page.locator("#documents [data-role=status]").first
        expect(status).to_have_text("Ready", timeout=120_000)
        page.reload()
        link = page.locator("#documents tbody a").first
        expect(link).to_have_text("Remote work policy")  # the heading, not "remote-work-policy"
        screenshot(page, "kb-admin-list-en")

        link.click()
        page.set_input_files("input[name=version-file]", str(second))
        page.click("form[action$='/version'] button[type=submit]")
        _reload_until_ready(page)
        history = page.locator("[data-testid=version-history] tbody tr")
        expect(history).to_have_count(2)
        newest, oldest = history.nth(0).inner_text(), history.nth(1).inner_text()
        assert newest.startswith("2") and "kim" in newest and f"(+{len(POLICY_V2) - len(POLICY)} B)" in newest
        assert "(+" in newest.split("B)")[-1] and oldest.startswith("1") and "Ready" in oldest
        expect(page.locator("[data-testid=preview]")).to_be_visible()
        href = page.locator("[data-testid=download]").get_attribute("href")
        download = page.request.get(f"{live_server.url}{href}")
        assert download.ok and download.text() == POLICY_V2
        screenshot(page, "kb-admin-document-en")

        document_url = page.url
        switch_language(page, "zh-hans")
        expect(page.locator("[data-testid=status]")).to_have_text("可用")
        assert "版本历史" in page.locator("main").inner_text()
        page.goto(f"{live_server.url}/kb/")
        expect(page.locator("#documents [data-role=status]").first).to_have_text("可用")
        expect(page.locator("label.file-pick")).to_have_text("选择文件")  # not the browser's "Choose Files"
        expect(page.locator(".file-chosen")).to_have_text("未选择文件")
        page.set_input_files("#upload-form input[type=file]", str(first))
        expect(page.locator(".file-chosen")).to_have_text("remote-work-policy.md")

    with browser_page(locale="zh-CN") as page:  # as a Chinese admin sees them, widgets included
        log_in(page, live_server.url, "kim", PASSWORD)
        page.goto(document_url)
        expect(page.locator("[data-testid=status]")).to_have_text("可用")
        screenshot(page, "kb-admin-document-zh")
        page.goto(f"{live_server.url}/kb/")
        expect(page.locator("#documents [data-role=status]").first).to_have_text("可用")
        screenshot(page, "kb-admin-list-zh")


def test_the_readers_list_offers_no_roles_and_an_upload_needs_an_explicit_choice(live_server, kim, tmp_path):
    upload = tmp_path / "notes.txt"
    upload.write_text("Parking notes\n\nThe car park closes at 22:00.")
    group("finance")
    with browser_page() as page:
        log_in(page, live_server.url, "kim", PASSWORD)
        page.goto(f"{live_server.url}/kb/")
        readers = page.locator("[data-testid=upload-readers]")
        offered = readers.locator("input[name=groups]")
        names = readers.inner_text()
        assert KB_ADMINS not in names and AUDITORS not in names and "KB admins" not in names
        ticked = [box.get_attribute("value") for box in offered.all() if box.is_checked()]
        assert ticked == [str(group("employees").pk)]  # kim's own reader group, not everyone

        readers.locator("input[name=groups]:checked").uncheck()
        _upload_from_list(page, upload)
        expect(page.locator("#upload-form")).to_contain_text("Choose who may read the new documents")
        assert not Document.objects.exists()


def test_the_list_filters_by_status_and_by_reader_group(live_server, kim):
    hr, finance = group("hr"), group("finance")
    ready = Document.objects.create(title="Leave policy", original_name="leave.md", status="indexed")
    ready.groups.set([hr])
    Document.objects.create(title="Broken scan", original_name="scan.pdf", status="failed")
    shared = Document.objects.create(title="Budget rules", original_name="budget.md", status="indexed")
    shared.groups.set([finance])
    with browser_page() as page:
        log_in(page, live_server.url, "kim", PASSWORD)
        page.goto(f"{live_server.url}/kb/")
        filters = page.locator("[data-testid=document-filters]")
        filters.locator("select[name=status]").select_option("indexed")
        filters.locator("select[name=group]").select_option("hr")
        filters.locator("button").click()
        page.wait_for_url("**/kb/?*status=indexed*")
        titles = page.locator("#documents tbody a").all_inner_texts()
        assert titles == ["Leave policy"]

        filters.locator("select[name=status]").select_option("failed")
        filters.locator("select[name=group]").select_option("everyone")
        filters.locator("button").click()
        page.wait_for_url("**/kb/?*status=failed*")
        assert page.locator("#documents tbody a").all_inner_texts() == ["Broken scan"]
        assert page.locator("#documents [data-role=status]").inner_text() == "Failed"


def test_only_readers_and_kb_admins_get_the_original_file(client, kim, alice, bob, tmp_path):
    from ingestion.services import document_submit

    result = document_submit(
        filename="hr-notes.txt",
        data=b"HR notes\n\nOnly HR reads these.",
        uploaded_by=kim,
        max_bytes=1_000_000,
        groups=[group("hr")],
        enqueue=False,
    )
    url = f"/kb/{result.document.pk}/file"
    for user, status in ((kim, 200), (alice, 200), (bob, 403)):
        client.force_login(user)
        assert client.get(url).status_code == status, user
    client.force_login(alice)
    preview = client.get(url + "?preview")
    assert (
        preview["Content-Type"].startswith("text/plain") and "sandbox" in preview["Content-Security-Policy"]
    )


def test_a_kb_admin_stops_a_queued_batch_and_resumes_it(live_server, celery_worker, empty_index, kim):
    from ingestion.pipeline import ingest_waiting_document
    from ingestion.services import document_submit

    batch = [
        document_submit(
            filename=f"note-{n}.txt",
            data=f"Note {n}\n\nRoom {n} is free on Fridays.".encode(),
            uploaded_by=kim,
            max_bytes=1_000_000,
            groups=[group("employees")],
            enqueue=False,
        ).document
        for n in range(2)
    ]  # queued, their tasks not sent yet
    with browser_page() as page:
        log_in(page, live_server.url, "kim", PASSWORD)
        page.goto(f"{live_server.url}/kb/")
        page.click("[data-testid=stop-queue]")
        statuses = page.locator("#documents [data-role=status]")
        expect(statuses).to_have_text(["Stopped", "Stopped"])
        assert ingest_waiting_document(batch[0].pk, owner="late-task").outcome == "skipped"

        page.click("[data-testid=resume-queue]")
        for n in range(2):
            expect(statuses.nth(n)).to_have_text("Ready", timeout=120_000)
