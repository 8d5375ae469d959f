"""Simulated Telegram users, talking to the real bot through the fake Bot API server.

A Telegram user cannot choose a message id: the update id is the message id, and Telegram
(here, the fake) redelivers an update the bot did not confirm. So each user sends one message at
a time and waits for the bot's messages, then reads for a moment before the next (a person
does too); every call the bot makes to the fake for that chat is recorded under the update
the user is waiting on. The bot answers a turn with ``sendChatAction`` (typing) followed by
its messages, so the calls of one update split into turns at each ``sendChatAction``: one
turn per update is an answer, two are a duplicate, none is a lost message.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from dataclasses import dataclass, field

from tests.load.clients import CONVERSATION, Load
from tests.telegram_fake import Call, FakeTelegram

FIRST_USER_ID = 700_000
# A turn's messages follow one another within milliseconds: this much silence ends a turn.
READING_SECONDS = 0.7
TAG = re.compile(r"<[^>]+>")


@dataclass
class ChatLog:
    """The calls the bot made to one chat, each under the update the user was waiting on."""

    waiting_on: int = -1  # the number of the user's message awaiting its answer
    update_ids: dict[int, int] = field(default_factory=dict)  # that number -> its update id
    calls: list[tuple[int, Call]] = field(default_factory=list)
    last_call_at: float = 0.0
    new_message: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class Turn:
    texts: list[str] = field(default_factory=list)
    first_message_at: float | None = None


class RecordedCalls(list[Call]):
    """The fake's list of calls, which also files each call under its chat as it arrives."""

    def __init__(self, recorder: TelegramRecorder) -> None:
        super().__init__()
        self._recorder = recorder

    def append(self, call: Call) -> None:
        super().append(call)
        self._recorder.record(call)


class TelegramRecorder:
    """Files the fake's calls by chat and wakes the user waiting on that chat."""

    def __init__(self, fake: FakeTelegram, loop: asyncio.AbstractEventLoop) -> None:
        self.fake = fake
        self.chats: dict[int, ChatLog] = {}
        self._loop = loop
        self._lock = threading.Lock()
        fake.calls = RecordedCalls(self)

    def chat(self, user_id: int) -> ChatLog:
        return self.chats.setdefault(user_id, ChatLog())

    def record(self, call: Call) -> None:  # runs in the fake's thread
        chat_id = call.params.get("chat_id")
        if chat_id is None or int(chat_id) not in self.chats:
            return
        log = self.chats[int(chat_id)]
        with self._lock:
            log.calls.append((log.waiting_on, call))
            log.last_call_at = time.monotonic()
        if call.method == "sendMessage":
            self._loop.call_soon_threadsafe(log.new_message.set)

    def turns(self, user_id: int) -> dict[int, list[Turn]]:
        log = self.chats[user_id]
        with self._lock:
            return split_turns(ChatLog(update_ids=dict(log.update_ids), calls=list(log.calls)))


def split_turns(log: ChatLog) -> dict[int, list[Turn]]:
    """Each update's turns: the texts the bot sent, split at each ``sendChatAction``."""
    by_update: dict[int, list[Turn]] = {}
    for number, call in log.calls:
        if number not in log.update_ids:
            continue  # before the user's first message
        turns = by_update.setdefault(log.update_ids[number], [])
        if call.method == "sendChatAction" or not turns:
            turns.append(Turn())
        if call.method == "sendMessage":
            turns[-1].texts.append(html.unescape(TAG.sub("", str(call.params.get("text")))))
            turns[-1].first_message_at = turns[-1].first_message_at or call.at
    return by_update


async def telegram_user(load: Load, recorder: TelegramRecorder, index: int) -> None:
    """One Telegram user: the conversation again and again, one message at a time."""
    user_id = FIRST_USER_ID + index
    log = recorder.chat(user_id)
    while not load.over():
        for kind, text in CONVERSATION:
            if load.over():
                return
            log.new_message.clear()
            # The calls are filed under this message's number before it is pushed, so not
            # even the quickest answer can be filed under the previous one.
            log.waiting_on += 1
            update_id = recorder.fake.push_message(user_id, text)
            log.update_ids[log.waiting_on] = update_id
            load.tally.sent(f"tg-{update_id}", "telegram", kind)
            await _wait_for_the_turn(load, log)


async def _wait_for_the_turn(load: Load, log: ChatLog) -> None:
    """Until the bot's messages stop (or the retry budget passes without any)."""
    try:
        await asyncio.wait_for(log.new_message.wait(), load.retry_budget_seconds)
    except TimeoutError:
        return  # counted as lost when the calls are read
    # The latency is the first message's: the tally hears of it here, already.
    while time.monotonic() - log.last_call_at < READING_SECONDS:
        await asyncio.sleep(READING_SECONDS / 4)


def count_replies(load: Load, recorder: TelegramRecorder) -> None:
    """Files every update's turns in the tally (after the run: the calls are complete)."""
    for user_id in recorder.chats:
        for update_id, turns in recorder.turns(user_id).items():
            for turn in turns:
                if not turn.texts:
                    continue  # typing shown, nothing sent: no reply
                apology = all(text in load.apologies for text in turn.texts)
                content = "\n".join(turn.texts)
                load.tally.replied(f"tg-{update_id}", content, apology, turn.first_message_at)
