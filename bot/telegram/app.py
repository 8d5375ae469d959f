"""``python -m bot telegram``: builds the bot from the settings and runs it until stopped.

The bot serves a small HTTP server on loopback (``telegram.host``/``telegram.port``):
``/healthz`` answers 200 once Telegram accepted the token and updates flow (the launcher waits
for it), and in webhook mode ``/telegram/webhook`` takes Telegram's updates from a reverse proxy.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.types import BotCommand, CallbackQuery, Message, TelegramObject
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot.assembly import build_conversation_service, build_poll_intervals
from bot.delivery.telegram import run_telegram_delivery
from bot.errors import ConfigurationError
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.notify import STAFF_REPLY
from bot.settings import Settings
from bot.staff.inbox import HandoffInbox
from bot.storage.continuation import ContinuationTokens
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.telegram_users import TelegramUsers
from bot.telegram.bridge import TelegramBridge
from bot.telegram.handlers import (
    create_callback_router,
    create_error_router,
    create_message_router,
)
from bot.telegram.keyboards import ButtonPayloads
from bot.telegram.polling import BACKOFF, poll
from bot.telegram.rate_limit import Decision, RateLimiter, RateLimitMiddleware

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"
COMMANDS = [
    BotCommand(command="start", description="Start / restart the conversation"),
    BotCommand(command="help", description="What I can help with"),
    BotCommand(command="language", description="Choose your language"),
    BotCommand(command="human", description="Talk to a person"),
]


def create_dispatcher(bridge: TelegramBridge, limiter: RateLimiter) -> Dispatcher:
    """A dispatcher with the bot's routers, the flood limit and the bridge injected."""
    dispatcher = Dispatcher(bridge=bridge)

    async def on_limited(event: TelegramObject, decision: Decision, data: dict[str, Any]) -> None:
        user = await bridge.user(event.from_user.id)  # type: ignore[attr-defined]
        text = bridge.text("rate_limited", user)
        if isinstance(event, CallbackQuery):
            await event.answer(text)  # a press must always be answered
        elif isinstance(event, Message) and decision is Decision.WARN:
            await bridge.send_text(data["bot"], event.chat.id, text)

    middleware = RateLimitMiddleware(limiter, on_limited)
    dispatcher.message.outer_middleware(middleware)
    dispatcher.callback_query.outer_middleware(middleware)
    dispatcher.include_routers(
        create_message_router(), create_callback_router(), create_error_router()
    )
    return dispatcher


def create_bot(settings: Settings) -> Bot:
    """The aiogram bot, talking to ``telegram.api_base_url`` when one is set."""
    if settings.telegram.token is None:
        raise ConfigurationError(
            "no Telegram token: set TELEGRAM_BOT_TOKEN (from @BotFather) in .env"
        )
    base_url = settings.telegram.api_base_url
    session = (
        AiohttpSession(api=TelegramAPIServer.from_base(base_url.rstrip("/")))
        if base_url
        else AiohttpSession()
    )
    return Bot(
        settings.telegram.token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML),
    )


class BotServer:
    """The loopback HTTP server: readiness, and the webhook route in webhook mode."""

    def __init__(self) -> None:
        self.ready = False
        self.app = web.Application()
        self.app.router.add_get("/healthz", self._health)

    async def _health(self, _: web.Request) -> web.Response:
        if self.ready:
            return web.json_response({"status": "ok"})
        return web.json_response({"status": "starting"}, status=503)


async def _connect(bot: Bot) -> None:
    """Waits until Telegram answers ``getMe``; a rejected token is a configuration error."""
    delay = BACKOFF.min_delay
    while True:
        try:
            me = await bot.get_me()
        except TelegramUnauthorizedError as error:
            raise ConfigurationError(
                "Telegram rejected the bot token: check TELEGRAM_BOT_TOKEN (from @BotFather)"
            ) from error
        except Exception as error:  # unreachable network, a proxy down...
            log.warning("cannot reach the Telegram Bot API (%s); retrying in %.0f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * BACKOFF.factor, BACKOFF.max_delay)
            continue
        log.info("connected to Telegram as @%s", me.username)
        return


async def run_bot(settings: Settings) -> int:
    """Runs the bot (polling or webhook, as configured) until cancelled or SIGTERM."""
    main = asyncio.current_task()
    if main is not None:  # the launcher stops its children with SIGTERM: shut down cleanly
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    strings = StringCatalogue.load()
    registry = LanguageRegistry.load()
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    service, rasa = build_conversation_service(settings, strings, registry, engine)
    users = TelegramUsers(engine)
    bridge = TelegramBridge(
        service,
        registry,
        users,
        ContinuationTokens(engine),
        ButtonPayloads(),
        max_text_chars=settings.web.max_text_chars,
        retry_seconds=settings.telegram.retry_unavailable_seconds,
    )
    telegram = settings.telegram
    limiter = RateLimiter(telegram.rate_limit_burst, telegram.rate_limit_per_minute)
    dispatcher = create_dispatcher(bridge, limiter)
    bot = create_bot(settings)
    server = BotServer()
    if telegram.mode == "webhook":
        secret = telegram.webhook_secret.get_secret_value() if telegram.webhook_secret else None
        # Processed before Telegram gets its 200: an update in flight at a crash is delivered
        # again (its id is the message id, so it is not processed twice).
        SimpleRequestHandler(
            dispatcher, bot, handle_in_background=False, secret_token=secret
        ).register(server.app, path=WEBHOOK_PATH)
    runner = web.AppRunner(server.app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, telegram.host, telegram.port).start()
    delivery: asyncio.Task[None] | None = None
    try:
        await _connect(bot)
        await bot.set_my_commands(COMMANDS)
        if isinstance(service.handoffs, HandoffInbox):
            # Staff replies written in the console reach Telegram users through this process.
            notifier = service.handoffs.notifier
            await notifier.start()
            notices = notifier.subscribe(STAFF_REPLY)
            delivery = asyncio.create_task(
                run_telegram_delivery(
                    service.handoffs,
                    bridge,
                    users,
                    bot,
                    notices,
                    build_poll_intervals(settings).telegram,
                ),
                name="telegram-staff-replies",
            )
        if telegram.mode == "webhook":
            await bot.set_webhook(
                str(telegram.webhook_url),
                secret_token=secret,
                allowed_updates=["message", "callback_query"],
            )
            server.ready = True
            log.info("Telegram webhook set; updates arrive at %s%s", telegram.url, WEBHOOK_PATH)
            await asyncio.Event().wait()
        else:
            # A webhook left over from webhook mode would make getUpdates fail.
            await bot.delete_webhook(drop_pending_updates=False)
            server.ready = True
            log.info("Telegram long polling started")
            await poll(
                bot,
                dispatcher,
                telegram.polling_timeout_seconds,
                drain_seconds=settings.rasa.timeout_seconds * 2,
            )
    finally:
        if delivery is not None and isinstance(service.handoffs, HandoffInbox):
            delivery.cancel()
            await asyncio.gather(delivery, return_exceptions=True)
            await service.handoffs.notifier.aclose()
        await runner.cleanup()
        await bot.session.close()
        await rasa.aclose()
        engine.dispose()
    return 0
