"""The bot's routers: commands, text, other message kinds, button presses, errors.

Each router is built by a function, because an aiogram router can be attached only once.
The handlers get the :class:`~bot.telegram.bridge.TelegramBridge` injected as ``bridge``, and
aiogram's ``event_update``: its update id is the message id, so a redelivered update is not
processed twice.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, ErrorEvent, Message, Update, User

from bot.errors import AssistantUnavailableError, InvalidMessageError
from bot.telegram.bridge import TelegramBridge
from bot.telegram.keyboards import language_from_callback, language_keyboard

log = logging.getLogger(__name__)

# What the commands send to Rasa (the payload contract shared by the channels).
HELP_PAYLOAD = "/help"
GREET_PAYLOAD = "/greet"
HUMAN_PAYLOAD = "/request_human"


def create_message_router() -> Router:
    """Commands, text messages and the polite answer to everything that is not text."""
    router = Router(name="messages")
    router.message.filter(F.chat.type == "private", F.from_user)

    @router.message(CommandStart())
    async def start(
        message: Message,
        command: CommandObject,
        bot: Bot,
        bridge: TelegramBridge,
        event_update: Update,
    ) -> None:
        user = await bridge.user(_user(message).id)
        if command.args:
            confirmation = await bridge.resume(user, command.args.strip())
            if confirmation is not None:
                await bridge.send_text(bot, message.chat.id, confirmation.text)
                return
            log.info("an unknown, used or expired continuation token was sent to /start")
        await bridge.ask(bot, message.chat.id, user, GREET_PAYLOAD, event_update.update_id)

    @router.message(Command("help"))
    async def help_command(
        message: Message, bot: Bot, bridge: TelegramBridge, event_update: Update
    ) -> None:
        user = await bridge.user(_user(message).id)
        await bridge.ask(bot, message.chat.id, user, HELP_PAYLOAD, event_update.update_id)

    @router.message(Command("human"))
    async def human(
        message: Message, bot: Bot, bridge: TelegramBridge, event_update: Update
    ) -> None:
        user = await bridge.user(_user(message).id)
        await bridge.ask(bot, message.chat.id, user, HUMAN_PAYLOAD, event_update.update_id)

    @router.message(Command("language"))
    async def language_menu(message: Message, bot: Bot, bridge: TelegramBridge) -> None:
        user = await bridge.user(_user(message).id)
        await bridge.send_text(
            bot,
            message.chat.id,
            bridge.text("choose_language", user),
            keyboard=language_keyboard(bridge.registry),
        )

    @router.message(F.text)
    async def text(
        message: Message, bot: Bot, bridge: TelegramBridge, event_update: Update
    ) -> None:
        user = await bridge.user(_user(message).id)
        await bridge.ask(bot, message.chat.id, user, message.text or "", event_update.update_id)

    @router.message()
    async def not_text(message: Message, bot: Bot, bridge: TelegramBridge) -> None:
        # Photos, stickers, voice, files, locations, contacts, polls...
        user = await bridge.user(_user(message).id)
        await bridge.send_text(bot, message.chat.id, bridge.text("non_text_message", user))

    return router


def create_callback_router() -> Router:
    """Presses of inline buttons: the language menu and the buttons of Rasa replies."""
    router = Router(name="callbacks")

    @router.callback_query(F.data.startswith("lang:"))
    async def language_chosen(query: CallbackQuery, bot: Bot, bridge: TelegramBridge) -> None:
        user = await bridge.user(query.from_user.id)
        language = language_from_callback(query.data or "")
        if language is None or language not in bridge.registry:
            await query.answer(bridge.text("button_expired", user))
            return
        confirmation = await bridge.choose_language(user, language)
        await query.answer()
        if query.message is not None:
            await _remove_keyboard(bot, query)
            await bridge.send_text(bot, query.message.chat.id, confirmation.text)

    @router.callback_query()
    async def button_pressed(
        query: CallbackQuery, bot: Bot, bridge: TelegramBridge, event_update: Update
    ) -> None:
        user = await bridge.user(query.from_user.id)
        payload = bridge.payloads.decode(query.data or "")
        if payload is None or query.message is None:
            await query.answer(bridge.text("button_expired", user))
            return
        await query.answer()
        await _remove_keyboard(bot, query)
        await bridge.ask(bot, query.message.chat.id, user, payload, event_update.update_id)

    return router


def create_error_router() -> Router:
    """Turns any error of a handler into one log line and a localized apology; polling goes on."""
    router = Router(name="errors")

    @router.errors()
    async def on_error(event: ErrorEvent, bot: Bot, bridge: TelegramBridge) -> bool:
        error = event.exception
        message = event.update.message or (
            event.update.callback_query.message if event.update.callback_query else None
        )
        sender = event.update.message.from_user if event.update.message else None
        if sender is None and event.update.callback_query is not None:
            sender = event.update.callback_query.from_user
        if isinstance(error, AssistantUnavailableError):
            log.warning("the assistant is unavailable: %s", error)
            key, params = "service_unavailable", {}
        elif isinstance(error, InvalidMessageError):
            log.info("rejected a Telegram message: %s", error)
            if error.code == "text_too_long":
                key, params = "message_too_long", {"limit": bridge.max_text_chars}
            else:
                key, params = "error_generic", {}
        else:
            log.error(
                "the Telegram bot failed on update %s", event.update.update_id, exc_info=error
            )
            key, params = "error_generic", {}
        if message is None or sender is None:
            return True
        try:
            user = await bridge.user(sender.id)
            await bridge.send_text(bot, message.chat.id, bridge.text(key, user, **params))
        except (TelegramAPIError, OSError, RuntimeError) as apology_error:
            log.warning("could not send the apology: %s", apology_error)
        return True

    return router


async def _remove_keyboard(bot: Bot, query: CallbackQuery) -> None:
    """Takes the buttons off the message that was pressed, so a choice is made once."""
    if query.message is None:
        return
    try:
        await bot.edit_message_reply_markup(
            chat_id=query.message.chat.id, message_id=query.message.message_id, reply_markup=None
        )
    except TelegramAPIError as error:  # e.g. the message is too old to edit
        log.info("could not remove a keyboard: %s", error)


def _user(message: Message) -> User:
    # The router's filter lets only messages with a sender through.
    assert message.from_user is not None
    return message.from_user
