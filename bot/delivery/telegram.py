"""Staff replies to Telegram users, sent by the bot's own process.

The gateway only stores a reply (``handoff_messages``) and announces it; the Telegram process
drains that outbox when told (Redis notices in production mode) and on its own poll, so staff
on any gateway reach a Telegram user even when an announcement is lost. A reply is marked
delivered after Telegram accepted it: a crash in between sends it again rather than losing it.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from bot.notify import STAFF_REPLY, Notice, Subscription
from bot.staff.inbox import HandoffInbox
from bot.storage.telegram_users import TelegramUsers
from bot.telegram.bridge import TelegramBridge

log = logging.getLogger(__name__)


def chat_of(sender_id: str, users: TelegramUsers) -> int | None:
    """The private chat of a conversation: the user's own, or the one that continues it."""
    if sender_id.startswith("telegram:"):
        user_id: str | None = sender_id.removeprefix("telegram:")
    else:
        user_id = users.user_of_conversation(sender_id)
    return int(user_id) if user_id and user_id.isdigit() else None


async def deliver_to_telegram(
    inbox: HandoffInbox, bridge: TelegramBridge, users: TelegramUsers, bot: Bot
) -> int:
    """Sends every waiting staff reply for Telegram users; returns how many went out."""
    waiting = await asyncio.to_thread(inbox.undelivered, None, "telegram")
    sent = 0
    for message in waiting:
        chat_id = await asyncio.to_thread(chat_of, message.sender_id, users)
        if chat_id is None:
            log.warning("no Telegram chat for staff reply %s; dropped", message.id)
        else:
            reply = message.as_reply(inbox.strings)
            try:
                await bridge.send_reply(bot, chat_id, reply, reply.language)
            except TelegramForbiddenError:
                log.info("the user blocked the bot; staff reply %s not delivered", message.id)
            except TelegramAPIError as error:
                log.warning("staff reply %s not sent yet: %s", message.id, error)
                continue  # tried again on the next pass
            else:
                sent += 1
        await asyncio.to_thread(inbox.mark_delivered, [message.id])
    return sent


async def run_telegram_delivery(
    inbox: HandoffInbox,
    bridge: TelegramBridge,
    users: TelegramUsers,
    bot: Bot,
    notices: Subscription,
    interval_seconds: float,
) -> None:
    """Drains the Telegram outbox when a reply for Telegram is announced, and every
    ``interval_seconds`` anyway, until cancelled. Closes ``notices``."""

    def for_telegram(notice: Notice) -> bool:
        return notice.topic == STAFF_REPLY and notice.ids.get("channel") == "telegram"

    with notices:
        while True:
            try:
                await deliver_to_telegram(inbox, bridge, users, bot)
            except Exception:  # the loop's boundary: a database hiccup must not stop delivery
                log.exception("delivering staff replies to Telegram failed; trying again")
            await notices.next(interval_seconds, for_telegram)
