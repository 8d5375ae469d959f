"""The staff Markdown subset: the shared cases (``tests/fixtures/markdown_cases.json``) that the
kiosk's JavaScript parser is also tested against (``tests/browser/test_formatted_answers.py``),
and the Telegram messages built from the same structure."""

from __future__ import annotations

import html
import json
import re

import pytest

from bot import markdown
from bot.conversation import Reply
from bot.telegram.rendering import render_reply
from tests.conftest import PROJECT_ROOT

CASES = json.loads((PROJECT_ROOT / "tests/fixtures/markdown_cases.json").read_text("utf-8"))[
    "cases"
]
TAG = re.compile(r"</?(b|i|a)( href=\"[^\"]*\")?>")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_python_parser_gives_the_shared_structure(case) -> None:
    assert markdown.parse(case["markdown"]) == case["blocks"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_telegram_shows_the_structure_without_markdown_markers(case, strings) -> None:
    messages = render_reply(Reply(case["markdown"], "en"), strings, "en")
    shown = html.unescape(TAG.sub("", "\n".join(messages)))
    expected = markdown.plain_text(case["blocks"])
    # Telegram shows the same words; list items gain a bullet or their number.
    assert re.sub(r"(?m)^(• |\d+\. )|\n", "", shown) == expected.replace("\n", "")
    bold = [
        piece[1]
        for block in case["blocks"]
        for line in block.get("lines", block.get("items"))
        for piece in line
        if piece[0] == "b"
    ]
    for text in bold:
        assert f"<b>{html.escape(text, quote=False)}</b>" in "".join(messages)


def test_telegram_formats_italics_links_and_numbered_lists(strings) -> None:
    text = "Take *two* photos.\n3. see [the form](https://x.org/f?a=1&b=2)\n4. pay"
    [message] = render_reply(Reply(text, "en"), strings, "en")
    assert message == (
        "Take <i>two</i> photos.\n\n"
        '3. see <a href="https://x.org/f?a=1&amp;b=2">the form</a>\n'
        "4. pay"
    )
