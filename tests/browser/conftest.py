"""Real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) against the real
assistant, started with a short kiosk idle time and a Telegram bot username for the QR code."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from tests.conftest import PROJECT_ROOT
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
BOT_USERNAME = "TalentDeskTestBot"
# Short enough for a test to wait out, long enough that no other test is wiped mid-step (the
# kiosk never counts while an answer is on its way).
IDLE_SECONDS = 20
WARNING_SECONDS = 6
# Rasa and the action server share two cores with other work: answers can take a while.
ANSWER_TIMEOUT_MS = 120_000
expect.set_options(timeout=ANSWER_TIMEOUT_MS)


@pytest.fixture(scope="package")
def web_assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    running = start_assistant(
        tmp_path_factory.mktemp("web-assistant"),
        {
            "TALENTDESK_WEB__KIOSK_IDLE_SECONDS": str(IDLE_SECONDS),
            "TALENTDESK_WEB__KIOSK_IDLE_WARNING_SECONDS": str(WARNING_SECONDS),
            "TALENTDESK_TELEGRAM__BOT_USERNAME": BOT_USERNAME,
        },
    )
    yield running
    stop_assistant(running)


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browsers` (as root) or `make test`")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class PageProblems:
    """Script errors and console errors (CSP violations among them) seen by a page."""

    def __init__(self, page: Page) -> None:
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh browser context per test; its last screen is saved under test-artifacts/."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    page = context.new_page()
    page.problems = PageProblems(page)  # type: ignore[attr-defined]
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}-final.png"), full_page=True)
    finally:
        context.close()


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
