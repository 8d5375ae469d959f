"""The kiosk in real Chromium: the picker, conversations in English and Chinese, buttons,
switching language, and the right-to-left Arabic page."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.conftest import shot
from tests.browser.kiosk import ask, bot_replies, open_kiosk, pick_language
from tests.conftest import last_verified

pytestmark = pytest.mark.browser


def test_the_picker_lists_32_languages_in_their_own_names_with_large_targets(
    page: Page, web_assistant, registry, strings
) -> None:
    open_kiosk(page, web_assistant)
    buttons = page.locator("#languages button")
    expect(buttons).to_have_count(32)
    for language in registry:
        button = page.locator(f"#languages button[data-lang={language.code}]")
        expect(button).to_have_text(language.native)
        expect(button).to_have_attribute("dir", language.direction)
        box = button.bounding_box()
        assert box is not None and box["height"] >= 48 and box["width"] >= 48, language.code
    expect(page.locator("#privacy-en")).to_have_text(strings.get("privacy_notice", "en", days=30))
    expect(page.locator("#privacy-zh")).to_have_text(strings.get("privacy_notice", "zh", days=30))
    assert page.problems.errors == []
    shot(page, "kiosk-picker")


def test_an_english_conversation_with_buttons_and_an_answer_card(
    page: Page, web_assistant, strings
) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "en")
    expect(page.locator("#send")).to_have_text(strings.get("send", "en"))
    greeting = page.locator("#log .td-bot[data-kind=greeting]")
    help_button = greeting.locator("button.td-quick").first
    expect(help_button).to_have_text("What can you do?")
    before = bot_replies(page).count()
    help_button.click()
    expect(page.locator("#log .td-user").last).to_have_text("What can you do?")
    expect(bot_replies(page).nth(before)).to_contain_text("You can ask me questions")

    answer = ask(page, "How do I register my apartment with the local police?")
    expect(answer).to_have_attribute("data-kind", "knowledge_answer")
    expect(answer.locator(".td-card-title")).to_have_text("How to register at the police station")
    # The answer's Markdown is rendered: bold text, no asterisks.
    expect(answer.locator(".td-text strong").first).to_contain_text("Go to the police station")
    assert "**" not in (answer.locator(".td-text").text_content() or "")
    expect(answer.locator(".td-source")).to_contain_text("Hunan Provincial People's Government")
    expect(answer.locator(".td-verified")).to_have_text(
        strings.get(
            "last_verified", "en", date=last_verified("police-registration-private-housing")
        )
    )
    expect(answer.locator(".td-source a")).to_have_attribute(
        "href",
        "http://enghunan.gov.cn/Services/Residence/TemporaryResidence/201506/t20150609_1715890.html",
    )
    expect(answer.locator(".td-badge")).to_have_count(0)  # English is native
    expect(answer.locator("button.td-print")).to_have_text(strings.get("button_print_card", "en"))
    expect(page.locator("#status")).to_be_hidden()  # the websocket was up (the CSP allows it)
    assert page.problems.errors == []
    shot(page, "kiosk-english")


def test_a_chinese_conversation_then_switching_to_english(
    page: Page, web_assistant, strings
) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "zh")
    expect(page.locator("#send")).to_have_text(strings.get("send", "zh"))
    expect(page.locator("#message")).to_have_attribute(
        "placeholder", strings.get("type_message", "zh")
    )
    expect(page.locator("#log .td-bot").first).to_have_text(strings.get("language_changed", "zh"))
    answer = ask(page, "租房住怎么去派出所办住宿登记？")
    expect(answer).to_have_attribute("lang", "zh")
    expect(answer).to_have_attribute("data-kind", "knowledge_answer")
    expect(answer.locator(".td-card-title")).to_have_text("如何到派出所办理住宿登记")
    expect(answer.locator(".td-verified")).to_have_text(
        strings.get(
            "last_verified", "zh", date=last_verified("police-registration-private-housing")
        )
    )
    shot(page, "kiosk-chinese")

    page.locator("#switch-language").click()
    expect(page.locator("#picker")).to_be_visible()
    pick_language(page, "en", greeting=False)
    expect(page.locator("#send")).to_have_text(strings.get("send", "en"))
    expect(bot_replies(page).last).to_have_text(strings.get("language_changed", "en"))
    # The earlier conversation is still on screen; new answers come in English.
    expect(page.locator("#log .td-bot[lang=zh]").first).to_be_visible()
    english = ask(page, "How do I register my apartment with the local police?")
    expect(english).to_have_attribute("lang", "en")
    expect(english.locator(".td-card-title")).to_have_text("How to register at the police station")
    assert page.problems.errors == []


def _user_bubble_side(page: Page) -> str:
    bubble = page.locator("#log .td-user").last.bounding_box()
    log = page.locator("#log").bounding_box()
    assert bubble is not None and log is not None
    middle = log["x"] + log["width"] / 2
    return "right" if bubble["x"] > middle else "left"


def test_arabic_is_laid_out_right_to_left(page: Page, web_assistant, strings) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "ar")
    html = page.locator("html")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_attribute("lang", "ar")
    expect(page.locator("#send")).to_have_text(strings.get("send", "ar"))
    expect(page.locator("#switch-language")).to_have_text(
        strings.get("button_change_language", "ar")
    )
    ask(page, "مرحبا")
    assert _user_bubble_side(page) == "left"
    send = page.locator("#send").bounding_box()
    field = page.locator("#message").bounding_box()
    assert send is not None and field is not None and send["x"] < field["x"]
    direction = page.evaluate("getComputedStyle(document.querySelector('#log')).direction")
    assert direction == "rtl"
    shot(page, "kiosk-arabic-rtl")

    page.locator("#switch-language").click()
    pick_language(page, "en", greeting=False)
    expect(html).to_have_attribute("dir", "ltr")
    ask(page, "hello")
    assert _user_bubble_side(page) == "right"
    assert page.problems.errors == []


def test_a_language_menu_reply_returns_to_the_picker(page: Page, web_assistant) -> None:
    # The dialogue answers /change_language with a `language_menu` reply; the socket is routed
    # so this test does not depend on which story produces it. Every other frame goes to the
    # real server.
    def route(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def from_page(message: str | bytes) -> None:
            frame = json.loads(message)
            if frame.get("text") != "/change_language":
                server.send(message)
                return
            reply = {"text": "Choose your language", "language": "en", "kind": "language_menu"}
            turn = {"type": "turn", "id": frame["id"], "language": "en", "replies": [reply]}
            socket.send(json.dumps(turn))

        socket.on_message(from_page)

    page.route_web_socket(re.compile(r".*/ws/chat$"), route)
    open_kiosk(page, web_assistant)
    pick_language(page, "en")
    page.locator("#message").fill("/change_language")
    page.locator("#message").press("Enter")
    expect(page.locator("#picker")).to_be_visible()
    expect(page.locator("#chat")).to_be_hidden()
    expect(page.locator("#log .td-bot[data-kind=language_menu]")).to_have_count(1)
    pick_language(page, "fr", greeting=False)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
