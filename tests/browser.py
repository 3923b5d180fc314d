"""Debian's Chromium driven by Playwright (never `playwright install`: no downloads here)."""

import os
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
# Screenshots of each persona's pages in both languages, for people to look at (README).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def browser_page(*, locale: str = "en-US", viewport: dict | None = None):
    """A page of a browser set up for `locale`: the pages' language (Accept-Language,
    navigator.language) and the browser's own, which its widgets speak ("年/月/日" in a date
    field, "选择文件"). On Linux Chromium takes the latter from LANGUAGE, not from `--lang`,
    and needs Debian's chromium-l10n for any but English."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            env={**os.environ, "LANGUAGE": locale.replace("-", "_")},
        )
        context = browser.new_context(locale=locale, viewport=viewport or {"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        try:
            yield page
        finally:
            browser.close()


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")  # not the header's language switcher
    page.wait_for_load_state("networkidle")


def screenshot(page, name: str) -> Path:
    """The whole page into SCREENSHOTS/<name>.png, replacing the last run's."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def switch_language(page, code: str) -> None:
    """Through the header's switcher, as a person would."""
    page.click(f"[data-testid=language-switcher] button[value='{code}']")
    page.wait_for_load_state("networkidle")
