"""The embeddable widget on a plain page of another origin, its websocket fallback, text-only
rendering of hostile messages, keyboard use and accessible names — in real Chromium."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, WebSocketRoute, expect

from tests.browser.conftest import shot
from tests.browser.kiosk import ask, open_kiosk, pick_language
from tests.processes import free_port

pytestmark = pytest.mark.browser

HOSTILE = (
    '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    " **bold** [click](javascript:window.__pwned=3) <b>big</b>"
)


@pytest.fixture
def host_page(web_assistant) -> Iterator[str]:
    """A partner's plain page on another origin (its own loopback port) that embeds the widget
    with one script tag."""
    html = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Host page</title>"
        "</head><body><h1>A partner's page</h1>"
        f"<script src='{web_assistant.settings.web.url}/widget.js'></script></body></html>"
    ).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            # 204 for anything else (the browser's favicon request) keeps the console clean.
            self.send_response(200 if self.path == "/" else 204)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(html if self.path == "/" else b"")

        def log_message(self, *_: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def _widget_ready(page: Page) -> None:
    expect(page.locator("#talentdesk-widget[data-ready=true]")).to_be_attached()


def test_the_embedded_widget_keeps_the_conversation_across_a_reload(
    page: Page, host_page: str, strings
) -> None:
    page.goto(host_page)
    _widget_ready(page)
    launcher = page.locator("#talentdesk-widget .launcher")
    expect(launcher).to_have_accessible_name(strings.get("open_chat", "en"))
    launcher.click()
    field = page.locator("#talentdesk-widget input")
    expect(field).to_be_focused()
    field.fill("hello")
    field.press("Enter")
    replies = page.locator("#talentdesk-widget .td-bot")
    expect(replies.first).to_be_visible()
    expect(page.locator("#talentdesk-widget .status")).to_be_hidden()  # the socket is up
    count = page.locator("#talentdesk-widget .td-msg").count()
    user = page.evaluate("localStorage.getItem('talentdesk.widget.session')")
    assert user and user.startswith("web.")
    shot(page, "widget-before-reload")

    page.reload()
    _widget_ready(page)
    expect(page.locator("#talentdesk-widget .td-msg")).to_have_count(count)
    expect(page.locator("#talentdesk-widget .td-user").first).to_have_text("hello")
    assert page.evaluate("localStorage.getItem('talentdesk.widget.session')") == user
    field.fill("你好")
    field.press("Enter")
    expect(page.locator("#talentdesk-widget .td-bot[lang=zh]").first).to_be_visible()
    # The widget's chrome follows the conversation's language.
    expect(page.locator("#talentdesk-widget .send")).to_have_text(strings.get("send", "zh"))
    assert page.problems.errors == []
    shot(page, "widget-after-reload")


def test_without_a_websocket_the_widget_reconnects_and_falls_back_to_http(
    page: Page, host_page: str, strings
) -> None:
    attempts: list[str] = []

    def refuse(socket: WebSocketRoute) -> None:
        attempts.append(socket.url)
        socket.close(code=1011, reason="refused by the test")

    page.route_web_socket(re.compile(r".*/ws/chat$"), refuse)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.url.endswith("/api/chat") else None)
    page.goto(host_page)
    _widget_ready(page)
    page.locator("#talentdesk-widget .launcher").click()
    expect(page.locator("#talentdesk-widget .status")).to_have_text(
        strings.get("reconnecting", "en")
    )
    field = page.locator("#talentdesk-widget input")
    field.fill("hello")
    field.press("Enter")
    expect(page.locator("#talentdesk-widget .td-bot").first).to_be_visible()
    assert posts, "the message did not go through POST /api/chat"
    deadline_ms = 30_000
    waited = 0
    while len(attempts) < 2 and waited < deadline_ms:
        page.wait_for_timeout(250)
        waited += 250
    assert len(attempts) >= 2, "the widget did not try to reconnect"


def test_html_script_and_markdown_are_shown_as_text(page: Page, web_assistant) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "en")
    ask(page, HOSTILE)
    expect(page.locator("#log .td-user").last).to_have_text(HOSTILE)
    assert page.locator("#log img, #log script, #log b").count() == 0
    # An assistant reply carrying the same, rendered by the page's own reply renderer.
    page.evaluate(
        """(hostile) => {
          const reply = {text: hostile, language: "en", kind: "knowledge_answer",
            data: {title: hostile},
            source: {name: hostile, url: "javascript:window.__pwned=4", last_verified: "x"},
            links: [{title: hostile, url: "javascript:window.__pwned=5"},
                    {title: "ok", url: "https://example.org/a"}],
            buttons: [{title: hostile, payload: "/greet"}], notes: [hostile]};
          const strings = {source: "Source", last_verified: "{date}",
                           button_print_card: "Print"};
          const item = TalentDeskCore.renderReply(reply, strings, {onButton() {}});
          item.id = "hostile";
          document.querySelector('#log').appendChild(item);
        }""",
        HOSTILE,
    )
    hostile = page.locator("#hostile")
    # The staff Markdown subset is rendered (as DOM nodes); HTML and the javascript: link are text.
    expect(hostile.locator(".td-text")).to_have_text(HOSTILE.replace("**bold**", "bold"))
    expect(hostile.locator(".td-text strong")).to_have_text("bold")
    expect(hostile.locator(".td-card-title")).to_have_text(HOSTILE)
    expect(hostile.locator("button.td-quick")).to_have_text(HOSTILE)
    assert hostile.locator("img, script, b").count() == 0
    hrefs = hostile.locator("a").evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["https://example.org/a"]
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.problems.errors == []
    shot(page, "kiosk-hostile-text")


def test_keyboard_alone_picks_a_language_and_sends(page: Page, web_assistant) -> None:
    open_kiosk(page, web_assistant)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.dataset.lang")
    assert focused in {"en", "zh"}, focused
    while page.evaluate("document.activeElement.dataset.lang") != "en":
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#chat")).to_be_visible()
    expect(page.locator("#log .td-bot[data-kind=greeting]")).to_have_count(1)
    reached: set[str] = set()
    for _ in range(20):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.className"))
    assert {"message", "send", "switch-language", "start-over", "td-quick"} <= reached, reached
    page.locator("#message").focus()
    page.keyboard.type("hello")
    before = page.locator("#log .td-user").count()
    page.keyboard.press("Enter")
    expect(page.locator("#log .td-user")).to_have_count(before + 1)


def test_every_control_has_an_accessible_name(page: Page, web_assistant, strings) -> None:
    open_kiosk(page, web_assistant)
    pick_language(page, "en")
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, input, [role=dialog], [role=alertdialog]')]
          .filter(el => el.tagName !== 'DIV' || el.checkVisibility())
          .filter(el => {
            const label = el.getAttribute('aria-label') ||
              (el.labels && [...el.labels].map(l => l.textContent).join('')) ||
              (el.getAttribute('aria-labelledby') &&
               document.getElementById(el.getAttribute('aria-labelledby')).textContent) ||
              el.textContent;
            return !label || !label.trim();
          })
          .map(el => el.outerHTML.slice(0, 80))"""
    )
    assert unnamed == []
    expect(page.get_by_role("textbox", name=strings.get("type_message", "en"))).to_be_visible()
    expect(page.get_by_role("button", name=strings.get("send", "en"))).to_be_visible()
    snapshot = page.locator("#chat").aria_snapshot()
    assert f'button "{strings.get("button_change_language", "en")}"' in snapshot
    assert f'textbox "{strings.get("type_message", "en")}"' in snapshot
    assert "list" in snapshot
