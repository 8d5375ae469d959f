"""The kiosk and widget a visitor sees, in real Chromium on a portrait kiosk (1080x1920), a
landscape screen (1920x1080) and a phone (390x844): formatted answers, every script readable,
the home screen's tasks, touch targets, focus and an axe-core scan."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ANSWER_TIMEOUT_MS, CHROMIUM, CHROMIUM_ARGS, PageProblems, shot
from tests.browser.kiosk import ask, bot_replies, open_kiosk, pick_language
from tests.browser.screen_checks import (
    LAYOUTS,
    NO_GLYPH,
    fallback_boxes,
    focus_outline_width,
    serious_axe_violations,
    small_touch_targets,
)
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.browser

CASES = json.loads((PROJECT_ROOT / "tests/fixtures/markdown_cases.json").read_text("utf-8"))[
    "cases"
]
# An answer with bold text and a numbered list (knowledge/police-registration/...).
POLICE_QUESTION = "How do I register my apartment with the local police?"
HOME_TASKS = ["book", "arrival", "hours", "documents", "person", "emergency"]


def layout_page(browser: Browser, layout: str, *, bypass_csp: bool = False) -> Page:
    context = browser.new_context(
        viewport=LAYOUTS[layout],
        locale="en-US",
        has_touch=layout == "phone",
        bypass_csp=bypass_csp,
    )
    context.set_default_timeout(ANSWER_TIMEOUT_MS)
    page = context.new_page()
    page.problems = PageProblems(page)  # type: ignore[attr-defined]
    return page


@pytest.fixture
def pages(browser: Browser) -> Iterator[list[Page]]:
    """Pages opened by a test, closed after it."""
    opened: list[Page] = []
    yield opened
    for page in opened:
        page.context.close()


def open_layout(browser: Browser, pages: list[Page], layout: str, **options: bool) -> Page:
    page = layout_page(browser, layout, **options)
    pages.append(page)
    return page


def open_widget(page: Page, assistant) -> None:
    page.goto(f"{assistant.settings.web.url}/")
    expect(page.locator("#talentdesk-widget[data-ready=true]")).to_be_attached()
    page.locator("#talentdesk-widget .launcher").click()


def widget_ask(page: Page, text: str):
    replies = page.locator("#talentdesk-widget .td-bot")
    before = replies.count()
    field = page.locator("#talentdesk-widget input")
    field.fill(text)
    field.press("Enter")
    expect(replies.nth(before)).to_be_visible()
    return replies.nth(before)


def assert_formatted_without_markers(answer) -> None:
    expect(answer).to_have_attribute("data-kind", "knowledge_answer")
    text = answer.locator(".td-text")
    expect(text.locator("strong").first).to_be_visible()
    expect(text.locator("li").first).to_be_attached()
    shown = text.inner_text()
    assert "**" not in shown, shown
    assert not re.search(r"(?m)^\s*[-*] ", shown), shown
    expect(text.locator(".td-lead")).to_have_count(1)


def test_the_javascript_parser_gives_the_shared_markdown_structure(page: Page, web_assistant):
    open_kiosk(page, web_assistant)
    for case in CASES:
        parsed = page.evaluate("(text) => TalentDeskMarkdown.parse(text)", case["markdown"])
        assert parsed == case["blocks"], case["name"]


@pytest.mark.parametrize("layout", ["portrait", "landscape"])
def test_the_kiosk_home_screen_and_a_formatted_answer(
    browser: Browser, pages: list[Page], web_assistant, strings, layout: str
) -> None:
    page = open_layout(browser, pages, layout)
    open_kiosk(page, web_assistant)
    assert small_touch_targets(page) == []
    pick_language(page, "en")
    home = page.locator("#home")
    expect(home).to_be_visible()
    expect(home.locator("h2")).to_have_text(strings.get("home_title", "en"))
    expect(home.locator("button.home-task")).to_have_count(len(HOME_TASKS))
    expect(home.locator("button[data-task=emergency]")).to_contain_text(
        strings.get("button_emergency", "en")
    )
    assert small_touch_targets(page) == []
    home.locator("button.home-task").first.focus()
    page.keyboard.press("Tab")
    assert focus_outline_width(page) >= 2
    shot(page, f"layout-{layout}-home-en")

    answer = ask(page, POLICE_QUESTION)
    assert_formatted_without_markers(answer)
    expect(home).to_be_hidden()  # a conversation started: the tasks make room for it
    assert small_touch_targets(page) == []
    box = answer.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= LAYOUTS[layout]["width"]
    assert page.problems.errors == []


def test_the_widget_on_a_phone_shows_a_formatted_answer(
    browser: Browser, pages: list[Page], web_assistant
) -> None:
    page = open_layout(browser, pages, "phone")
    open_widget(page, web_assistant)
    panel = page.locator("#talentdesk-widget .panel")
    box = panel.bounding_box()
    assert box is not None and box["width"] == LAYOUTS["phone"]["width"]  # the whole screen
    answer = widget_ask(page, POLICE_QUESTION)
    assert_formatted_without_markers(answer)
    assert small_touch_targets(page) == []
    shot(page, "layout-phone-widget-answer")
    assert page.problems.errors == []


def test_no_script_renders_as_fallback_boxes(page: Page, web_assistant) -> None:
    open_kiosk(page, web_assistant)
    # The check itself sees a box where no font has the glyph.
    page.evaluate(
        "(text) => { const p = document.createElement('p'); p.id = 'no-glyph';"
        " p.textContent = text; document.body.appendChild(p); }",
        "a" + NO_GLYPH,
    )
    assert len(fallback_boxes(page, "#no-glyph")) == 1
    page.evaluate("() => document.getElementById('no-glyph').remove()")
    assert fallback_boxes(page, "#languages button, #picker h1, .privacy") == []
    for code in ["zh", "ar", "th", "hi", "ko", "bn", "ru"]:
        pick_language(page, code)
        expect(page.locator("#home")).to_be_visible()
        assert fallback_boxes(page, "#home h2, .home-task, .bar button, #send") == [], code
        page.locator("#start-over").click()
        expect(page.locator("#picker")).to_be_visible()
    pick_language(page, "zh")
    answer = ask(page, "租房住怎么去派出所办住宿登记？")
    expect(answer).to_have_attribute("data-kind", "knowledge_answer")
    answer.evaluate("e => e.id = 'zh-answer'")
    assert fallback_boxes(page, "#zh-answer .td-text, #zh-answer .td-card-title") == []
    assert fallback_boxes(page, "#zh-answer button.td-quick") == []  # 👍 / 👎 ratings
    expect(answer.locator("button.td-quick").first).to_contain_text("👍")
    assert page.problems.errors == []


def test_the_home_screen_buttons_start_their_conversations(page: Page, web_assistant) -> None:
    """Each task opens its conversation: the reply that follows is that task's."""
    expected = {
        "book": lambda reply: expect(reply).not_to_have_attribute("data-kind", "not_sure"),
        "arrival": lambda reply: expect(reply).not_to_have_attribute("data-kind", "not_sure"),
        "hours": lambda reply: expect(reply).to_have_attribute(
            "data-entry", "community-hall-opening-hours"
        ),
        "documents": lambda reply: expect(reply.locator("button.td-quick")).to_have_count(3),
        "person": lambda reply: expect(reply).to_have_attribute(
            "data-kind", re.compile("handoff|reach_a_person")
        ),
        "emergency": lambda reply: expect(reply).to_have_attribute(
            "data-entry", "emergency-numbers"
        ),
    }
    open_kiosk(page, web_assistant)
    for task in HOME_TASKS:
        pick_language(page, "en")
        button = page.locator(f"#home button[data-task={task}]")
        label = button.locator(".home-label").inner_text()
        before = bot_replies(page).count()
        button.click()
        expect(page.locator("#log .td-user").last).to_have_text(label)
        reply = bot_replies(page).nth(before)
        expect(reply).to_be_visible()
        expected[task](reply)
        if task == "book":
            expect(reply.locator("button.td-quick").first).to_be_visible()
        page.locator("#start-over").click()
        expect(page.locator("#picker")).to_be_visible()
    assert page.problems.errors == []


@pytest.mark.parametrize("layout", ["portrait", "landscape", "phone"])
def test_axe_finds_no_serious_violations(
    browser: Browser, pages: list[Page], web_assistant, layout: str
) -> None:
    page = open_layout(browser, pages, layout, bypass_csp=True)
    if layout == "phone":
        open_widget(page, web_assistant)
        widget_ask(page, POLICE_QUESTION)
        assert serious_axe_violations(page) == []
        return
    open_kiosk(page, web_assistant)
    assert serious_axe_violations(page) == []
    pick_language(page, "ar")
    expect(page.locator("#home")).to_be_visible()
    assert serious_axe_violations(page) == []
    ask(page, POLICE_QUESTION)
    assert serious_axe_violations(page) == []


def test_the_check_sees_boxes_when_the_noto_fonts_are_missing(
    browser: Browser, web_assistant, registry, tmp_path
) -> None:
    """The fallback-box check can fail: Chromium given only the DejaVu fonts draws boxes."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        "<?xml version='1.0'?><!DOCTYPE fontconfig SYSTEM 'fonts.dtd'><fontconfig>"
        "<dir>/usr/share/fonts/truetype/dejavu</dir>"
        f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>",
        encoding="utf-8",
    )
    chromium = browser.browser_type.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env={"FONTCONFIG_FILE": str(config)}
    )
    try:
        page = chromium.new_page()
        open_kiosk(page, web_assistant)
        boxes = fallback_boxes(page, "#languages button")
    finally:
        chromium.close()
    missing = {entry.split(" in ")[1] for entry in boxes}
    for code in ["zh", "th", "ko", "hi", "bn"]:
        native = json.dumps(registry.get(code).native, ensure_ascii=False)
        assert native in missing, (native, missing)
