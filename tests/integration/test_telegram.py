"""The Telegram bot as users run it: ``python -m bot run`` with a token starts the real aiogram
bot next to the real Rasa and action servers; it long-polls a fake Bot API server on loopback."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import pytest

from actions.knowledge.loader import load_knowledge
from bot.launcher.process import is_healthy
from bot.storage.database import create_database_engine
from bot.storage.unanswered import UnansweredLog
from tests.conftest import last_verified
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.processes import free_port, wait_until
from tests.telegram_fake import TOKEN, FakeTelegram

pytestmark = pytest.mark.integration

TAG = re.compile(r"</?(b|i|a)( href=\"[^\"]*\")?>")
FLOOD_BURST = 6


def visible(message: str) -> str:
    """What Telegram shows for an HTML message: our tags removed, entities decoded."""
    rest = TAG.sub("", message)
    assert "<" not in rest and ">" not in rest, f"unescaped markup in {message[:300]!r}"
    return html.unescape(rest)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


@pytest.fixture(scope="module")
def bot_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def bot_assistant(
    tmp_path_factory: pytest.TempPathFactory, fake: FakeTelegram, bot_port: int
) -> Iterator[RunningAssistant]:
    running = start_assistant(
        tmp_path_factory.mktemp("telegram-assistant"),
        extra_env={
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TALENTDESK_TELEGRAM__API_BASE_URL": fake.base_url,
            "TALENTDESK_TELEGRAM__PORT": str(bot_port),
            "TALENTDESK_TELEGRAM__POLLING_TIMEOUT_SECONDS": "5",
            "TALENTDESK_TELEGRAM__RATE_LIMIT_BURST": str(FLOOD_BURST),
            "TALENTDESK_TELEGRAM__RATE_LIMIT_PER_MINUTE": "2",
        },
    )
    yield running
    stop_assistant(running)


class Chat:
    """One Telegram user talking to the bot through the fake server."""

    def __init__(self, fake: FakeTelegram, user_id: int) -> None:
        self.fake = fake
        self.user_id = user_id

    @property
    def received(self) -> list[dict[str, Any]]:
        return self.fake.sent_to(self.user_id)

    def send(self, text: str | None = None, **content: Any) -> list[dict[str, Any]]:
        """Sends a message and returns the bot's messages that answer it."""
        before = len(self.received)
        self.fake.push_message(self.user_id, text, **content)
        return self._answer(before)

    def press(self, message: dict[str, Any], callback_data: str) -> list[dict[str, Any]]:
        before = len(self.received)
        bot_message = {
            "message_id": 1,
            "date": 0,
            "chat": {"id": self.user_id, "type": "private"},
            "text": message["text"],
        }
        self.fake.push_callback(self.user_id, callback_data, bot_message)
        return self._answer(before)

    def _answer(self, before: int) -> list[dict[str, Any]]:
        self.fake.wait_for(lambda: len(self.received) > before)
        # A turn can be several messages: wait until no more arrive for a moment.
        count = -1
        while count != len(self.received):
            count = len(self.received)
            wait_until(lambda seen=count: len(self.received) > seen, timeout=1.5)
        return self.received[before:]

    @staticmethod
    def texts(messages: list[dict[str, Any]]) -> list[str]:
        return [visible(m["text"]) for m in messages]


def buttons(message: dict[str, Any]) -> list[dict[str, str]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def test_the_launcher_started_the_bot_and_it_is_ready(
    bot_assistant: RunningAssistant, fake: FakeTelegram, bot_port: int
) -> None:
    assert is_healthy(f"http://127.0.0.1:{bot_port}/healthz")
    assert bot_assistant.child_pid("telegram") > 0
    assert fake.calls_of("getMe") and fake.calls_of("deleteWebhook")
    commands = fake.calls_of("setMyCommands")[0].params["commands"]
    assert [c["command"] for c in commands] == ["start", "help", "language", "human"]


def test_a_whole_conversation_in_english(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    chat = Chat(fake, 1001)
    greeting = chat.send("/start")
    assert "I'm TalentDesk" in chat.texts(greeting)[0]
    assert [b["text"] for b in buttons(greeting[-1])] == ["What can you do?"]
    assert fake.calls_of("sendChatAction", 1001)

    answer = chat.texts(chat.send("how do I apply for a residence permit?"))
    assert any("30 days" in text for text in answer)
    assert any(
        "Source:" in text
        and f"Last checked: {last_verified('residence-permit-first-application')}" in text
        for text in answer
    )

    thanks = chat.texts(chat.send("thank you"))
    assert any("You're welcome" in text for text in thanks)

    # The greeting's button continues the conversation: /help.
    helped = chat.press(greeting[-1], buttons(greeting[-1])[0]["callback_data"])
    assert any("in your own words" in text for text in chat.texts(helped))
    assert fake.calls_of("answerCallbackQuery")
    assert fake.calls_of("editMessageReplyMarkup", 1001)


def test_a_whole_conversation_in_chinese(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    chat = Chat(fake, 1002)
    assert any("智能助手" in text for text in chat.texts(chat.send("你好")))
    answer = chat.texts(chat.send("怎么申请居留许可"))
    assert any("30日" in text for text in answer)
    assert any(
        "来源" in text
        and f"最后核实：{last_verified('residence-permit-first-application')}" in text
        for text in answer
    )
    assert any("不客气" in text for text in chat.texts(chat.send("谢谢")))


def test_the_language_menu_then_a_third_language(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    chat = Chat(fake, 1003)
    [menu] = chat.send("/language")
    assert visible(menu["text"]) == "Choose your language"
    options = {b["callback_data"]: b["text"] for b in buttons(menu)}
    assert (
        len(options) == 32 and options["lang:fr"] == "Français" and options["lang:zh"] == "简体中文"
    )

    [confirmation] = chat.press(menu, "lang:fr")
    assert visible(confirmation["text"]) == "Je vous répondrai désormais en français."
    assert fake.calls_of("editMessageReplyMarkup", 1003)

    # No French translation package is installed for this assistant: the answer is the English
    # entry with the French "not installed" note, and the labels are French.
    answer = chat.texts(chat.send("how do I apply for a residence permit?"))
    assert any("30 days" in text for text in answer)
    assert any(
        "Source" in text and last_verified("residence-permit-first-application") in text
        for text in answer
    )
    french_label = "Dernière vérification"
    assert any(french_label in text for text in answer), answer
    assert any("La traduction en français n'est pas encore installée" in text for text in answer)


def test_did_you_mean_buttons_continue_the_conversation(
    bot_assistant: RunningAssistant, fake: FakeTelegram, registry
) -> None:
    chat = Chat(fake, 1004)
    reply = chat.send("visa problem")
    suggestion = next(m for m in reply if buttons(m))
    # "Did you mean" mixes likely intents and knowledge entries: press the first entry.
    entries = load_knowledge(bot_assistant.knowledge, registry.codes).entries
    assert entries
    titles = {entry.title["en"] for entry in entries}
    first = next(b for b in buttons(suggestion) if b["text"] in titles)
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(suggestion))
    answer = chat.texts(chat.press(suggestion, first["callback_data"]))
    assert any(first["text"] in text or "Source:" in text for text in answer), answer
    assert any("Last checked:" in text for text in answer)

    # A button from before a restart (or made up) gets a polite answer, not an error.
    before = len(fake.calls_of("answerCallbackQuery"))
    fake.push_callback(
        1004,
        "k:from-an-old-process",
        {**suggestion, "message_id": 2, "date": 0, "chat": {"id": 1004, "type": "private"}},
    )
    fake.wait_for(lambda: len(fake.calls_of("answerCallbackQuery")) > before)
    assert fake.calls_of("answerCallbackQuery")[-1].params["text"] == (
        "This button has expired. Please ask your question again."
    )


LONG_ENTRY = """---
id: hall-long-guide
category: daily-life
title: {{en: The zorblat hall guide, zh: 佐布拉大厅指南}}
questions:
  en:
    - Give me the whole zorblat hall guide
    - What does the zorblat guide say?
  zh:
    - 给我佐布拉大厅指南
    - 佐布拉指南写了什么？
source: {{name: Daze Lake service hall}}
last_verified: 2026-11-02
---

## en

{english}

## zh

{chinese}
"""


def test_a_long_answer_with_markup_is_split_and_shown_as_text(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    sentences = [
        f"Step {n}: bring form <b>{n}</b> & a copy to counter {n % 9 + 1}; **not** _online_."
        for n in range(140)
    ]
    english = " ".join(sentences)
    assert len(english) > 9000
    entry = bot_assistant.knowledge / "daily-life" / "hall-long-guide.md"
    entry.write_text(LONG_ENTRY.format(english=english, chinese="佐布拉指南。" * 10))
    try:
        # The running assistant reloads the knowledge base within a second or two.
        def reloaded() -> bool:
            body = bot_assistant.chat("tg-long", "Give me the whole zorblat hall guide").json()
            return any(
                (r.get("source") or {}).get("entry_id") == "hall-long-guide"
                for r in body["replies"]
            )

        assert wait_until(reloaded, timeout=120)
        chat = Chat(fake, 1005)
        texts = chat.texts(chat.send("Give me the whole zorblat hall guide"))
    finally:
        entry.unlink(missing_ok=True)
    messages = [m["text"] for m in chat.received[-len(texts) :]]
    assert len(texts) >= 3
    assert all(len(m.encode("utf-16-le")) // 2 <= 4096 for m in messages)
    # Raw HTML in the answer is shown as text; the staff's **bold** is Telegram bold.
    assert (
        "bring form &lt;b&gt;0&lt;/b&gt; &amp; a copy to counter 1; <b>not</b> _online_."
        in (messages[0])
    )
    shown = " ".join(t for t in texts if "Step" in t).split()
    expected = english.replace("**", "").split()
    assert shown[: len(expected)] == expected  # every word whole, in order
    assert "Last checked: 2026-11-02" in texts[-1]


def test_user_html_script_and_markdown_reach_rasa_as_typed(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    typed = '<script>alert("x")</script> <b>**zqxjv**</b> [a](http://evil) & wobble'
    chat = Chat(fake, 1006)
    replies = chat.send(typed)
    texts = chat.texts(replies)  # every message is valid, escaped HTML
    assert texts and all(m["parse_mode"] == "HTML" for m in replies)
    log = UnansweredLog(create_database_engine(bot_assistant.settings.storage.database_url))
    assert any(q.text == typed and q.channel == "telegram" for q in log.recent())


def test_photos_stickers_voice_files_and_locations_get_a_polite_reply(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    chat = Chat(fake, 1007)
    media = {
        "photo": [{"file_id": "p", "file_unique_id": "pu", "width": 9, "height": 9}],
        "sticker": {
            "file_id": "s",
            "file_unique_id": "su",
            "type": "regular",
            "width": 9,
            "height": 9,
            "is_animated": False,
            "is_video": False,
        },
        "voice": {"file_id": "v", "file_unique_id": "vu", "duration": 2},
        "document": {"file_id": "d", "file_unique_id": "du", "file_name": "passport.pdf"},
        "location": {"latitude": 28.2, "longitude": 112.9},
    }
    for kind, content in media.items():
        [reply] = chat.send(**{kind: content})
        assert visible(reply["text"]) == "I can only read text messages. Please type your question."
    chinese = Chat(fake, 1010)
    chinese.send("你好")
    [reply] = chinese.send(photo=media["photo"])
    assert visible(reply["text"]) == "我只能读取文字消息，请输入您的问题。"


def test_a_flood_is_answered_once_with_the_rate_limit(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    chat = Chat(fake, 1008)
    for _ in range(FLOOD_BURST + 8):
        fake.push_message(1008, "hello")
    limited = "You are sending messages very fast. Please wait a few seconds."
    fake.wait_for(lambda: limited in chat.texts(chat.received))
    fake.wait_for(
        lambda: sum("I'm TalentDesk" in t for t in chat.texts(chat.received)) >= FLOOD_BURST
    )
    wait_until(lambda: False, timeout=5)  # let anything that should not come arrive
    texts = chat.texts(chat.received)
    assert texts.count(limited) == 1
    assert sum("I'm TalentDesk" in t for t in texts) == FLOOD_BURST


def test_malformed_and_unexpected_updates_do_not_stop_the_bot(
    bot_assistant: RunningAssistant, fake: FakeTelegram
) -> None:
    fake.push({"message": {"message_id": "not a number", "chat": "nope"}})
    fake.push({"a_future_kind_of_update": {"id": 1}})
    fake.push(
        {
            "edited_message": {
                "message_id": 3,
                "date": 0,
                "chat": {"id": 1009, "type": "private"},
                "text": "edited",
            }
        }
    )
    fake.push(
        {
            "message": {
                "message_id": 4,
                "date": 0,
                "chat": {"id": -5, "type": "group"},
                "from": {"id": 1009, "is_bot": False, "first_name": "G"},
                "text": "in a group",
            }
        }
    )
    chat = Chat(fake, 1009)
    answer = chat.texts(chat.send("how do I apply for a residence permit?"))
    assert any("30 days" in text for text in answer)
    assert fake.sent_to(-5) == []
    assert bot_assistant.process.poll() is None
