"""The Telegram side of the one conversation path: Telegram users in, rendered turns out.

Handlers stay thin: they hand what the user did to :class:`TelegramBridge`, which talks to the
:class:`~bot.conversation.ConversationService` and sends the replies.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time

from aiogram import Bot
from aiogram.enums import ChatAction, ParseMode
from aiogram.types import InlineKeyboardMarkup, LinkPreviewOptions

from bot.conversation import ConversationService, IncomingMessage, Reply, Turn
from bot.errors import AssistantUnavailableError
from bot.language.registry import LanguageRegistry
from bot.storage.continuation import ContinuationTokens
from bot.storage.telegram_users import TelegramUser, TelegramUsers
from bot.telegram.keyboards import ButtonPayloads, language_keyboard
from bot.telegram.rendering import render_reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramBridge:
    """Maps Telegram users to conversations and turns into Telegram messages.

    Args:
        service: The conversation service.
        registry: The supported languages (for the language menu).
        users: Stored per-user state (continued conversation, chosen language).
        tokens: Kiosk continuation tokens.
        payloads: Callback data of Rasa buttons.
        max_text_chars: The longest message the service accepts (for the "too long" reply).
        retry_seconds: How long a message is tried again while the assistant is unavailable,
            before the user gets the "unavailable" apology.
    """

    def __init__(
        self,
        service: ConversationService,
        registry: LanguageRegistry,
        users: TelegramUsers,
        tokens: ContinuationTokens,
        payloads: ButtonPayloads,
        max_text_chars: int,
        retry_seconds: float = 0.0,
    ) -> None:
        self.max_text_chars = max_text_chars
        self.retry_seconds = retry_seconds
        self.service = service
        self.strings = service.strings
        self.registry = registry
        self.payloads = payloads
        self._users = users
        self._tokens = tokens
        self._restored: set[str] = set()

    async def user(self, telegram_user_id: int) -> TelegramUser:
        """The stored state of a user; a chosen language is given back to the service once per
        process, so a restart does not forget it."""
        user = await asyncio.to_thread(self._users.get, str(telegram_user_id))
        if user.user_id not in self._restored:
            self._restored.add(user.user_id)
            if user.language and user.language in self.registry:
                self.service.choose_language(
                    user.user_id, CHANNEL, user.language, conversation_id=user.conversation_id
                )
        return user

    def language(self, user: TelegramUser) -> str:
        """The language the user is spoken to in (interface strings follow it)."""
        return self.service.language_of(
            IncomingMessage(user.user_id, CHANNEL, "", conversation_id=user.conversation_id)
        )

    def text(self, key: str, user: TelegramUser, **params: object) -> str:
        return self.strings.get(key, self.language(user), **params)

    async def ask(
        self, bot: Bot, chat_id: int, user: TelegramUser, text: str, update_id: int | None = None
    ) -> None:
        """Sends the user's text (or a button payload) to the assistant and shows the turn.

        The update id is the message id: an update Telegram delivers again (after a crash) is
        answered with the stored turn, never sent to Rasa twice.
        """
        await bot.send_chat_action(chat_id, ChatAction.TYPING)
        message = IncomingMessage(
            user.user_id,
            CHANNEL,
            text,
            conversation_id=user.conversation_id,
            message_id=None if update_id is None else f"update-{update_id}",
        )
        await self.send_turn(bot, chat_id, await self._answer(bot, chat_id, message))

    async def _answer(self, bot: Bot, chat_id: int, message: IncomingMessage) -> Turn:
        """The turn of ``message``, tried again while the assistant is briefly unavailable.

        A web client sends a message again with its id after a 503; a Telegram user cannot
        (Telegram numbers the updates), and the update is confirmed once handled. So the bot
        retries for the user, with the same message id: a turn that did run meanwhile is
        found and given back, never run twice. Telegram shows "typing" for five seconds only,
        so it is shown again before each try: the user sees the bot is still on it.
        """
        deadline = time.monotonic() + self.retry_seconds
        delay = 1.0
        while True:
            try:
                return await self.service.handle(message)
            except AssistantUnavailableError as error:
                if message.message_id is None or time.monotonic() + delay > deadline:
                    raise
                log.info("the assistant is unavailable (%s); trying again in %.0f s", error, delay)
                await asyncio.sleep(delay)
                delay = min(2 * delay, 10.0)
                await bot.send_chat_action(chat_id, ChatAction.TYPING)

    async def send_turn(self, bot: Bot, chat_id: int, turn: Turn) -> None:
        for reply in turn.replies:
            await self.send_reply(bot, chat_id, reply, turn.language)

    async def send_reply(self, bot: Bot, chat_id: int, reply: Reply, chrome_language: str) -> None:
        """One reply: its messages, with its buttons (or the language menu) under the last."""
        keyboard: InlineKeyboardMarkup | None
        if reply.kind == "language_menu":
            keyboard = language_keyboard(self.registry)
            if not reply.text:
                reply = Reply(self.strings.get("choose_language", chrome_language), chrome_language)
        else:
            keyboard = self.payloads.keyboard(reply.buttons)
        messages = render_reply(reply, self.strings, chrome_language)
        if not messages:
            if keyboard is None:
                return
            # Telegram cannot send buttons without text.
            messages = [html.escape(self.strings.get("not_sure", chrome_language), quote=False)]
        for number, message in enumerate(messages, start=1):
            await bot.send_message(
                chat_id,
                message,
                parse_mode=ParseMode.HTML,
                link_preview_options=NO_PREVIEW,
                reply_markup=keyboard if number == len(messages) else None,
            )

    async def send_text(
        self,
        bot: Bot,
        chat_id: int,
        text: str,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> None:
        """An interface string or confirmation, escaped like everything else."""
        await bot.send_message(
            chat_id,
            html.escape(text, quote=False),
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
        )

    async def choose_language(self, user: TelegramUser, language: str) -> Reply:
        """Records an explicit choice, in the service and in the database."""
        reply = self.service.choose_language(
            user.user_id, CHANNEL, language, conversation_id=user.conversation_id
        )
        await asyncio.to_thread(
            self._users.save, TelegramUser(user.user_id, user.conversation_id, language)
        )
        return reply

    async def resume(self, user: TelegramUser, token: str) -> Reply | None:
        """Continues the kiosk conversation behind a deep-link token, in its language.

        Returns the confirmation in that language, or None when the token is unknown, used or
        expired.
        """
        continuation = await asyncio.to_thread(
            self._tokens.redeem, token, f"{CHANNEL}:{user.user_id}"
        )
        if continuation is None:
            return None
        resumed = TelegramUser(user.user_id, continuation.conversation_id, continuation.language)
        await asyncio.to_thread(self._users.save, resumed)
        log.info("telegram user continues conversation %s", continuation.conversation_id)
        return self.service.choose_language(
            user.user_id,
            CHANNEL,
            continuation.language,
            conversation_id=continuation.conversation_id,
        )
