"""Steps on the kiosk page shared by the browser tests."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect

from tests.integration.conftest import RunningAssistant


def open_kiosk(page: Page, assistant: RunningAssistant) -> None:
    page.goto(f"{assistant.settings.web.url}/kiosk")
    expect(page.locator("body[data-ready=true]")).to_be_attached()
    expect(page.locator("#picker")).to_be_visible()


def bot_replies(page: Page) -> Locator:
    return page.locator("#log .td-bot")


def pick_language(page: Page, code: str, greeting: bool = True) -> None:
    """Taps a language; the first time the kiosk greets (confirmation + greeting replies)."""
    before = bot_replies(page).count()
    page.locator(f"#languages button[data-lang={code}]").click()
    expect(page.locator("#chat")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", code)
    if greeting:
        expect(page.locator("#log .td-bot[data-kind=greeting]")).to_have_count(1)
    else:
        expect(bot_replies(page)).to_have_count(before + 1)


def ask(page: Page, text: str) -> Locator:
    """Types ``text``, presses Enter, and returns the first reply of the answer."""
    before = bot_replies(page).count()
    page.locator("#message").fill(text)
    page.locator("#message").press("Enter")
    expect(bot_replies(page).nth(before)).to_be_visible()
    expect(page.locator("#typing")).to_be_hidden()
    return bot_replies(page).nth(before)


def session_user(page: Page) -> str | None:
    """The kiosk's session token (None right after a wipe, until the next visitor starts)."""
    return page.evaluate("sessionStorage.getItem('talentdesk.kiosk.session')")
