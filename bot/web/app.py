"""``create_app``: the gateway's FastAPI application."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from bot.assembly import (
    build_after_hours,
    build_conversation_service,
    build_handoff_inbox,
    build_notifier,
    build_poll_intervals,
    build_sessions,
    build_staff_auth,
    build_staff_knowledge,
    build_tracker_events,
)
from bot.conversation import ConversationService
from bot.delivery import LiveConnections, run_live_delivery
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.notify import STAFF_REPLY
from bot.privacy.erasure import ConversationEraser
from bot.privacy.retention import purge_once, run_retention
from bot.settings import Settings
from bot.staff.inbox import HandoffInbox
from bot.staff.knowledge_edit import KnowledgeEditor
from bot.storage.continuation import ContinuationTokens
from bot.storage.database import create_database_engine, ensure_schema
from bot.web.abuse import RateLimits, SocketCounter
from bot.web.api import create_api_router
from bot.web.continuation import create_continuation_router
from bot.web.errors import install_error_handlers
from bot.web.health import create_health_router
from bot.web.pages import STATIC_DIR, create_pages_router, install_security_headers
from bot.web.realtime import create_realtime_router
from bot.web.staff import (
    create_inbox_router,
    create_knowledge_router,
    create_report_router,
    create_staff_router,
    install_staff_handlers,
)


def _inbox_of(
    service: ConversationService, engine: Engine, strings: StringCatalogue, settings: Settings
) -> HandoffInbox:
    """The inbox the service routes held conversations to (a test's service may have none:
    staff then see requests, but the service does not route to them)."""
    if isinstance(service.handoffs, HandoffInbox):
        return service.handoffs
    return build_handoff_inbox(engine, service.language_layer, strings, build_notifier(settings))


def create_app(settings: Settings, service: ConversationService | None = None) -> FastAPI:
    """Builds the gateway.

    Args:
        settings: The project settings.
        service: An already built conversation service (tests); by default one talking to
            the Rasa server in ``settings`` is built when the app starts.
    """
    strings = service.strings if service is not None else StringCatalogue.load()
    registry = LanguageRegistry.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings.storage.database_url, settings.project_root)
        ensure_schema(engine)
        tracker = build_tracker_events(settings)
        app.state.engine = engine
        app.state.continuations = ContinuationTokens(engine)
        app.state.sessions = build_sessions(settings, engine)
        app.state.staff_auth = build_staff_auth(settings, engine)
        app.state.staff_knowledge = build_staff_knowledge(settings, registry)
        app.state.after_hours = build_after_hours(settings)
        app.state.knowledge_editor = KnowledgeEditor(app.state.staff_knowledge, registry.codes)
        app.state.eraser = ConversationEraser(engine, tracker)
        app.state.rate_limits = RateLimits(settings.web, settings.storage.redis_url)
        app.state.sockets = SocketCounter(settings.web.max_websockets_per_ip)
        await purge_once(engine, tracker, settings.privacy)
        purge = asyncio.create_task(
            run_retention(engine, tracker, settings.privacy), name="retention-purge"
        )
        app.state.live = LiveConnections()
        try:
            built, rasa = (
                (service, None)
                if service is not None
                else build_conversation_service(settings, strings, registry, engine)
            )
            app.state.service = built
            app.state.inbox = inbox = _inbox_of(built, engine, strings, settings)
            app.state.notifier = notifier = inbox.notifier
            app.state.poll_intervals = polls = build_poll_intervals(settings)
            await notifier.start()
            delivery = asyncio.create_task(
                run_live_delivery(
                    inbox, app.state.live, notifier.subscribe(STAFF_REPLY), polls.websockets
                ),
                name="staff-reply-delivery",
            )
            try:
                yield
            finally:
                delivery.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await delivery
                await notifier.aclose()
                if rasa is not None:
                    # Turns still running finish and are stored: their clients' retries find them.
                    await built.drain(settings.rasa.timeout_seconds * 2)
                    await rasa.aclose()
        finally:
            purge.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purge
            tracker.engine.dispose()
            engine.dispose()

    app = FastAPI(title="TalentDesk gateway", lifespan=lifespan)
    app.state.settings = settings
    app.state.strings = strings
    app.state.registry = registry
    app.state.web_settings = settings.web
    install_error_handlers(app)
    install_security_headers(app)
    install_staff_handlers(app)
    # The widget may sit on any page the installation allows; the API holds no cookies.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.web.widget_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["content-type"],
    )
    app.include_router(create_api_router())
    app.include_router(create_realtime_router())
    app.include_router(create_continuation_router())
    app.include_router(create_pages_router())
    app.include_router(create_staff_router())
    app.include_router(create_inbox_router())
    app.include_router(create_knowledge_router())
    app.include_router(create_report_router())

    app.include_router(create_health_router())
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
