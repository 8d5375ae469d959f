import html
import re

from bot.conversation import Link, Reply, Source
from bot.telegram.rendering import (
    MESSAGE_LIMIT,
    Segment,
    render_reply,
    split_message,
    utf16_len,
)

TAG = re.compile(r"</?(b|i|a)( href=\"[^\"]*\")?>")


def visible(message: str) -> str:
    """What Telegram shows for an HTML message: tags removed, entities decoded."""
    return html.unescape(TAG.sub("", message))


def assert_well_formed(message: str) -> None:
    """Only our own tags, each closed in the same message; no bare < or > or broken entity."""
    rest = TAG.sub("", message)
    assert "<" not in rest and ">" not in rest, message[:200]
    assert not re.search(r"&(?!(amp|lt|gt|quot|#x27);)", rest), message[:200]
    opened = [m.group(1) for m in TAG.finditer(message) if not m.group(0).startswith("</")]
    closed = [m.group(1) for m in TAG.finditer(message) if m.group(0).startswith("</")]
    assert opened == closed


def test_html_script_and_other_markdown_are_escaped_text(strings) -> None:
    text = '<b>bold?</b> <script>alert("x")</script> _under_ `code` [x](javascript:y) & &amp;'
    [message] = render_reply(Reply(text, "en"), strings, "en")
    assert message == html.escape(text, quote=False)
    assert visible(message) == text
    assert_well_formed(message)


def test_the_staff_markdown_subset_becomes_telegram_formatting(strings) -> None:
    text = (
        "Apply within **30 days <of> entry**.\n- bring [the form](https://x.org/f?a=1&b=2)\n* two"
    )
    [message] = render_reply(Reply(text, "en"), strings, "en")
    assert message == (
        "Apply within <b>30 days &lt;of&gt; entry</b>.\n\n"  # a blank line before a list
        '• bring <a href="https://x.org/f?a=1&amp;b=2">the form</a>\n'
        "• two"
    )
    assert_well_formed(message)
    [unclosed] = render_reply(Reply("a ** b", "en"), strings, "en")
    assert unclosed == "a ** b"


def test_knowledge_answer_shows_source_link_and_last_checked(strings) -> None:
    reply = Reply(
        "Apply within 30 days.",
        "en",
        source=Source("Exit & Entry <Bureau>", "https://example.org/a?b=1&c=2", "2026-11-20"),
        kind="knowledge_answer",
    )
    [message] = render_reply(reply, strings, "en")
    assert message.startswith("Apply within 30 days.\n\n<i>Source: </i>")
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2">Exit &amp; Entry &lt;Bureau&gt;</a>' in message
    )
    assert "Last checked: 2026-11-20" in message
    assert_well_formed(message)


def test_labels_follow_the_conversation_language(strings) -> None:
    reply = Reply("答案", "zh", source=Source("出入境", None, "2026-11-20"))
    [message] = render_reply(reply, strings, "zh")
    assert "来源" in message and "最后核实：2026-11-20" in message
    assert "<a" not in message  # no URL, no link


def test_machine_translated_note_notes_and_only_web_links(strings) -> None:
    reply = Reply(
        "Bonjour",
        "fr",
        machine_translated=True,
        notes=("Translation is <not> installed",),
        links=(Link("map", "https://maps.example.org"), Link("bad", "javascript:alert(1)")),
    )
    [message] = render_reply(reply, strings, "en")
    assert "<i>Machine-translated</i>" in message
    assert "<i>Translation is &lt;not&gt; installed</i>" in message
    assert '<a href="https://maps.example.org">map</a>' in message
    assert "javascript" not in message
    assert_well_formed(message)


def test_a_long_answer_is_split_between_words_under_the_limit(strings) -> None:
    words = [f"word{n}" for n in range(2500)]
    text = " ".join(words[:1200]) + "\n\n" + " ".join(words[1200:])
    messages = render_reply(
        Reply(text, "en", source=Source("Hall", None, "2026-01-01")), strings, "en"
    )
    assert len(messages) >= 4
    assert all(utf16_len(m) <= MESSAGE_LIMIT for m in messages)
    shown = " ".join(visible(m) for m in messages).split()
    assert shown[: len(words)] == words  # every word whole, in order
    assert "Last checked: 2026-01-01" in messages[-1]


def test_escaping_that_grows_the_text_still_fits_and_keeps_entities_whole() -> None:
    text = "&<>" * 3000
    messages = split_message([[Segment(text, "b")]])
    assert len(messages) > 1
    for message in messages:
        assert utf16_len(message) <= MESSAGE_LIMIT
        assert_well_formed(message)
    assert "".join(visible(m) for m in messages) == text


def test_chinese_without_spaces_splits_after_a_sentence() -> None:
    sentence = "外国人工作许可须在入境后三十日内申请。"
    text = sentence * 400
    messages = split_message([[Segment(text)]])
    assert len(messages) > 1
    assert all(m.endswith("。") for m in messages)
    assert "".join(messages) == text


def test_emoji_count_as_two_units() -> None:
    messages = split_message([[Segment("😀 " * 3000)]])
    assert all(utf16_len(m) <= MESSAGE_LIMIT for m in messages)
    assert len(messages) == 3


def test_an_empty_reply_renders_no_message(strings) -> None:
    assert render_reply(Reply("", "en"), strings, "en") == []
