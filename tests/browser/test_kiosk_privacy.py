"""The kiosk's privacy and hand-over features in real Chromium: the idle warning and wipe, the
QR code that continues the conversation in Telegram, and the printable bilingual card."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from bot.storage.continuation import ContinuationTokens
from bot.storage.database import create_database_engine
from bot.web.continuation import deep_link, qr_svg
from tests.browser.conftest import (
    ARTIFACTS,
    BOT_USERNAME,
    IDLE_SECONDS,
    WARNING_SECONDS,
    shot,
)
from tests.browser.kiosk import ask, open_kiosk, pick_language, session_user

pytestmark = pytest.mark.browser

WAIT_MS = (IDLE_SECONDS + WARNING_SECONDS + 30) * 1000


def test_still_here_keeps_the_conversation(page: Page, web_assistant, strings) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "de")
    user = session_user(page)
    warning = page.locator("#idle")
    expect(warning).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#idle-text")).to_have_text(
        re.compile(re.escape(strings.get("idle_warning", "de", seconds=999)).replace("999", r"\d+"))
    )
    page.locator("#still-here").click()
    expect(warning).to_be_hidden()
    expect(page.locator("#chat")).to_be_visible()
    assert session_user(page) == user
    expect(page.locator("#log .td-bot").first).to_be_visible()


def test_idle_warning_then_wipe_back_to_the_picker(page: Page, web_assistant, strings) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "en")
    ask(page, "How do I register my apartment with the local police?")
    old_user = session_user(page)
    expect(page.locator("#idle")).to_be_visible(timeout=WAIT_MS)
    text = page.locator("#idle-text").text_content() or ""
    seconds = int(re.search(r"\d+", text).group())  # type: ignore[union-attr]
    assert 1 <= seconds <= WARNING_SECONDS
    assert text == strings.get("idle_warning", "en", seconds=seconds)
    shot(page, "kiosk-idle-warning")

    expect(page.locator("#picker")).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#chat")).to_be_hidden()
    expect(page.locator("#idle")).to_be_hidden()
    expect(page.locator("#log > *")).to_have_count(0)
    assert old_user is not None and session_user(page) is None
    assert page.evaluate("Object.keys(sessionStorage)") == ["talentdesk.kiosk"]
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    # The wipe ended the old session on the server: its token no longer opens anything.
    turn = httpx.post(web_assistant.api, json={"session": old_user, "text": "你好"}, timeout=60)
    assert turn.status_code == 401 and turn.json()["error"]["code"] == "session_ended"
    # The next visitor gets a new session.
    pick_language(page, "en")
    assert session_user(page) not in (None, old_user)
    shot(page, "kiosk-after-wipe")


def test_the_qr_code_continues_this_conversation_in_telegram(
    page: Page, web_assistant, strings
) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "fr")
    user = session_user(page)
    button = page.locator("#continue-phone")
    expect(button).to_have_text(strings.get("button_continue_on_phone", "fr"))
    button.click()
    image = page.locator("#qr-image")
    expect(page.locator("#qr")).to_be_visible()
    expect(image).to_have_attribute("alt", strings.get("scan_to_continue", "fr"))
    # The SVG really loaded and decoded (wait_for_function would need eval, which the CSP bans).
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    url = image.get_attribute("data-url") or ""
    match = re.fullmatch(rf"https://t\.me/{BOT_USERNAME}\?start=([A-Za-z0-9_-]+)", url)
    assert match, url
    token = match.group(1)
    src = image.get_attribute("src") or ""
    svg = httpx.get(web_assistant.settings.web.url + src, timeout=30).content
    assert svg == qr_svg(deep_link(BOT_USERNAME, token))
    shot(page, "kiosk-qr")

    engine = create_database_engine(web_assistant.settings.storage.database_url)
    try:
        continuation = ContinuationTokens(engine).redeem(token, "telegram:4242")
    finally:
        engine.dispose()
    assert continuation is not None
    assert user is not None
    assert (continuation.conversation_id, continuation.language) == (
        "kiosk:" + user.split(".")[1],
        "fr",
    )
    page.locator("#qr-close").click()
    expect(page.locator("#qr")).to_be_hidden()


def test_the_printable_card_shows_the_answer_in_both_languages(
    page: Page, web_assistant, strings
) -> None:
    # The kiosk's own window.print() would start a print job that races the test's page.pdf()
    # ("Page is already being printed"). Headless Chromium has no print dialog to drive, so the
    # test records the kiosk's print request and renders the print layout itself.
    page.add_init_script(
        "window.print = () => { const root = document.documentElement;"
        " root.dataset.printRequests = String(Number(root.dataset.printRequests || 0) + 1); };"
    )
    open_kiosk(page, web_assistant)
    pick_language(page, "en")
    answer = ask(page, "What are the opening hours of the service hall?")
    expect(answer).to_have_attribute("data-kind", "knowledge_answer")
    answer.locator("button.td-print").click()
    card = page.locator("#print-card")
    expect(card.locator(".card-columns article")).to_have_count(2)
    expect(page.locator("html")).to_have_attribute("data-print-requests", "1")

    page.emulate_media(media="print")
    expect(card).to_be_visible()
    expect(page.locator(".kiosk")).to_be_hidden()
    english, chinese = card.locator("article[lang=en]"), card.locator("article[lang=zh]")
    expect(english).to_contain_text(answer.locator(".td-lead").text_content() or "")
    # The office as on screen: Chinese name and address large (for a taxi driver), then the
    # visitor's own wording and the hours.
    office = card.locator(".td-office")
    expect(office.locator(".td-office-name")).to_have_text("大泽湖国际人才社区一站式服务大厅")
    expect(office.locator(".td-office-address")).to_contain_text("长沙市望城区大泽湖国际人才社区")
    expect(office).to_contain_text("Daze Lake International Talent Community")
    expect(office).to_contain_text(strings.get("card_address", "en"))
    expect(office).to_contain_text(strings.get("card_hours", "en"))
    name_size = office.locator(".td-office-name").evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    # At least twice the card's body text (the answer's lead paragraph is a little larger).
    assert name_size >= 2 * float(card.evaluate("e => parseFloat(getComputedStyle(e).fontSize)"))
    assert re.search(r"[\u4e00-\u9fff]{10}", chinese.locator(".card-text").text_content() or "")
    expect(card.locator("h2")).to_contain_text(strings.get("card_heading", "zh"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(ARTIFACTS / "kiosk-print-card.pdf"), format="A4")
    shot(page, "kiosk-print-card")
    page.emulate_media(media="screen")
    expect(card).to_be_hidden()
    expect(page.locator(".kiosk")).to_be_visible()
