"""The composition root: builds the settings-driven services every entry point uses.

The web gateway, the Telegram bot and the terminal chat each call these builders from their own
start-up (never at import), so no channel borrows another channel's wiring.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from bot.conversation import ConversationService
from bot.conversation.answered import (
    AnsweredMessages,
    DatabaseAnsweredMessages,
    RedisAnsweredMessages,
)
from bot.conversation.rasa_client import HttpRasaClient
from bot.conversation.service import InMemoryLanguageMemory, LanguageMemory
from bot.conversation.turn_lock import InProcessTurnLocks, RedisTurnLocks, TurnLocks
from bot.language.layer import LanguageLayer
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.language.translating_layer import TranslatingLanguageLayer, build_language_layer
from bot.notify import InProcessNotifier, Notifier
from bot.privacy.tracker import RasaTrackerEvents
from bot.sessions import Sessions, load_or_create_secret
from bot.settings import Settings
from bot.staff import StaffAccounts, StaffAudit, StaffAuth
from bot.staff.after_hours import AfterHours
from bot.staff.auth import LoginThrottle
from bot.staff.inbox import HandoffInbox
from bot.staff.knowledge import StaffKnowledge
from bot.storage.answered import AnsweredMessagesTable
from bot.storage.database import create_database_engine
from bot.storage.sessions import SessionStore


def build_language_memory(settings: Settings) -> LanguageMemory:
    """Redis when configured, so every gateway process sees the same languages."""
    if settings.storage.redis_url:
        from bot.conversation.redis_memory import RedisLanguageMemory

        return RedisLanguageMemory.from_url(settings.storage.redis_url)
    return InMemoryLanguageMemory()


def build_turn_locks(settings: Settings) -> TurnLocks:
    """Redis when configured, so two gateways never run one conversation's turns at once."""
    if settings.storage.redis_url:
        # The lease outlives the longest turn (Rasa's request timeout, twice the time a caller
        # waits, plus translation); a message waits for its conversation's earlier turns as long.
        lease = settings.rasa.timeout_seconds * 3
        return RedisTurnLocks.from_url(settings.storage.redis_url, lease, lease)
    return InProcessTurnLocks()


def build_answered_messages(settings: Settings, engine: Engine) -> AnsweredMessages:
    """Redis when configured (every gateway sees every id), else the app database."""
    ttl = timedelta(hours=settings.storage.answered_ttl_hours)
    if settings.storage.redis_url:
        return RedisAnsweredMessages.from_url(settings.storage.redis_url, ttl.total_seconds())
    return DatabaseAnsweredMessages(AnsweredMessagesTable(engine, ttl))


def build_conversation_service(
    settings: Settings, strings: StringCatalogue, registry: LanguageRegistry, engine: Engine
) -> tuple[ConversationService, HttpRasaClient]:
    """The production wiring of the conversation service (the caller closes the client).

    A caller waits ``rasa.timeout_seconds`` for a turn; the request to Rasa may take twice as
    long, finishing in the background, and its turn is stored for the caller's retry.
    """
    rasa = HttpRasaClient(
        settings.rasa.urls,
        settings.rasa.timeout_seconds * 2,
        turns_in_flight=settings.rasa.turns_in_flight,
    )
    language = build_language_layer(settings, strings, registry)
    if isinstance(language, TranslatingLanguageLayer):
        # Identification runs on the event loop (about 1 ms a message), but loading its models
        # takes seconds: do it now in the background, while Rasa is still starting.
        threading.Thread(target=language.warm_up, name="language-warm-up", daemon=True).start()
    service = ConversationService(
        rasa=rasa,
        language=language,
        strings=strings,
        supported_languages=set(registry.codes),
        memory=build_language_memory(settings),
        max_text_chars=settings.web.max_text_chars,
        turn_locks=build_turn_locks(settings),
        answered=build_answered_messages(settings, engine),
        answer_timeout_seconds=settings.rasa.timeout_seconds,
        handoffs=build_handoff_inbox(engine, language, strings, build_notifier(settings)),
    )
    return service, rasa


def build_handoff_inbox(
    app_database: Engine, language: LanguageLayer, strings: StringCatalogue, notifier: Notifier
) -> HandoffInbox:
    """The staff inbox; the conversation service routes held conversations to it, and it
    announces replies and messages on ``notifier`` (started by the process that runs it)."""
    return HandoffInbox(app_database, language, strings, StaffAudit(app_database), notifier)


def build_tracker_events(settings: Settings) -> RasaTrackerEvents:
    """Rasa's tracker database, for erasure and retention (the caller disposes its engine)."""
    return RasaTrackerEvents(
        create_database_engine(settings.storage.rasa_tracker_url, settings.project_root)
    )


def build_sessions(settings: Settings, app_database: Engine) -> Sessions:
    """Web and kiosk sessions, signed with the installation's secret."""
    lifetimes = {
        "web": timedelta(days=settings.sessions.web_lifetime_days),
        "kiosk": timedelta(hours=settings.sessions.kiosk_lifetime_hours),
    }
    return Sessions(SessionStore(app_database), load_or_create_secret(settings), lifetimes)


def build_staff_auth(settings: Settings, app_database: Engine) -> StaffAuth:
    """Staff accounts, console sessions (signed with the installation's secret) and audit."""
    staff = settings.staff
    return StaffAuth(
        app_database,
        StaffAccounts(app_database),
        StaffAudit(app_database),
        load_or_create_secret(settings),
        timedelta(hours=staff.session_hours),
        LoginThrottle(
            app_database,
            staff.login_free_failures,
            staff.login_delay_seconds,
            staff.login_max_delay_seconds,
        ),
    )


def build_after_hours(settings: Settings) -> AfterHours:
    """The queue of messages left outside opening hours, on the hall's calendar."""
    return AfterHours.load(settings.path(settings.knowledge.folder))


def build_staff_knowledge(settings: Settings, registry: LanguageRegistry) -> StaffKnowledge:
    """The knowledge base as the console searches and edits it."""
    return StaffKnowledge(settings.path(settings.knowledge.folder), registry.codes)


@dataclass(frozen=True)
class PollIntervals:
    """How long each waiter waits for a notice before reading the outbox anyway (seconds)."""

    websockets: float  # a gateway: staff replies for its open sockets
    console: float  # a console's live view: the visitor's messages
    telegram: float  # the Telegram process: staff replies for Telegram users


def build_notifier(settings: Settings) -> Notifier:
    """Redis pub/sub when configured (notices cross processes), else in-process."""
    if settings.storage.redis_url:
        from bot.notify.redis_notifier import RedisNotifier

        return RedisNotifier(settings.storage.redis_url)
    return InProcessNotifier()


def build_poll_intervals(settings: Settings) -> PollIntervals:
    """Slow safety polls wherever notices reach; in embedded mode the Telegram process and the
    gateway share no notifier, so the paths between them keep the faster poll."""
    staff = settings.staff
    safety = staff.safety_poll_seconds
    fast = min(staff.delivery_interval_seconds, safety)
    if settings.storage.redis_url:
        return PollIntervals(safety, safety, safety)
    console = fast if settings.telegram.token is not None else safety
    return PollIntervals(websockets=safety, console=console, telegram=fast)
