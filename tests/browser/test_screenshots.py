"""Screenshots of what a visitor sees, in English, Chinese, Arabic and Russian on the portrait
kiosk and on a phone: the picker, the home screen, an answer card and the printable card
(``test-artifacts/browser/screens/``). Each step is also checked, so a broken screen fails."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.kiosk import bot_replies, open_kiosk, pick_language
from tests.browser.screen_checks import fallback_boxes
from tests.browser.test_kiosk_layouts import layout_page

pytestmark = pytest.mark.browser

SCREENS = ARTIFACTS / "screens"
# The kiosk's own window.print() would race page.screenshot in print media: record it instead.
RECORD_PRINT = (
    "window.print = () => { const root = document.documentElement;"
    " root.dataset.printRequests = String(Number(root.dataset.printRequests || 0) + 1); };"
)


def save(page: Page, name: str, full_page: bool = False) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=full_page)


@pytest.mark.parametrize("layout", ["portrait", "phone"])
@pytest.mark.parametrize("language", ["en", "zh", "ar", "ru"])
def test_screens_of_the_kiosk(
    browser: Browser, web_assistant, strings, registry, layout: str, language: str
) -> None:
    page = layout_page(browser, layout)
    try:
        page.add_init_script(RECORD_PRINT)
        open_kiosk(page, web_assistant)
        save(page, f"{layout}-{language}-1-picker")
        pick_language(page, language)
        expect(page.locator("#home h2")).to_have_text(strings.get("home_title", language))
        direction = registry.get(language).direction  # type: ignore[union-attr]
        expect(page.locator("html")).to_have_attribute("dir", direction)
        assert fallback_boxes(page, "#home h2, .home-task") == []
        save(page, f"{layout}-{language}-2-home")

        before = bot_replies(page).count()
        page.locator("#home button[data-task=hours]").click()
        answer = bot_replies(page).nth(before)
        expect(answer).to_have_attribute("data-entry", "community-hall-opening-hours")
        expect(answer.locator(".td-office-name")).to_be_visible()
        if language == "ar" and answer.get_attribute("lang") != "ar":
            # An English answer on the Arabic page reads left to right, inside an RTL page.
            assert answer.evaluate("e => getComputedStyle(e).direction") == "ltr"
            assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
        answer.locator(".td-office").scroll_into_view_if_needed()
        save(page, f"{layout}-{language}-3-answer")

        answer.locator("button.td-print").click()
        expect(page.locator("html")).to_have_attribute("data-print-requests", "1")
        page.emulate_media(media="print")
        card = page.locator("#print-card")
        expect(card.locator(".td-office-name")).to_be_visible()
        assert fallback_boxes(page, "#print-card h2, #print-card .td-office") == []
        save(page, f"{layout}-{language}-4-print-card", full_page=True)
        assert page.problems.errors == []  # type: ignore[attr-defined]
    finally:
        page.context.close()
