"""Every action the server serves, built once with its collaborators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rasa_sdk import Action

from actions.booking.form import (
    ActionAskBookingService,
    ActionAskBookingTime,
    BookingRules,
    ValidateBookingForm,
)
from actions.booking.manage import ActionCancelBooking, ActionConfirmBooking, ActionShowBooking
from actions.fallback import ActionDidYouMean
from actions.faq import ActionAnswerFromKnowledge
from actions.feedback import ActionRecordFeedback
from actions.forms import ActionLeaveForm
from actions.greeting import ActionGreetUser
from actions.hall import Clock, HallCalendar
from actions.handoff import ActionRequestHuman, ActionStoreHandoffMessage
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import embedder_for
from actions.knowledge.facts import FACTS_FILE_NAME
from actions.language_menu import ActionOfferLanguages
from actions.metrics import ActionMetrics
from actions.planner import ActionArrivalChecklist, ValidateArrivalPlanForm
from actions.session import ActionValidateSlotMappings
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.settings import Settings
from bot.storage.bookings import BookingBook
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.feedback import RatingLog
from bot.storage.handoffs import HandoffQueue
from bot.storage.unanswered import UnansweredLog


@dataclass
class ActionServices:
    """The collaborators actions share. Cheap to build; :meth:`warm_up` does the heavy work."""

    knowledge: KnowledgeBase
    unanswered: UnansweredLog
    calendar: HallCalendar
    bookings: BookingBook
    handoffs: HandoffQueue
    ratings: RatingLog
    clock: Clock

    def warm_up(self) -> None:
        """Loads the embedding model and the knowledge index."""
        self.knowledge.warm_up()


def build_services(settings: Settings, metrics: ActionMetrics | None = None) -> ActionServices:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    knowledge = KnowledgeBase(
        folder=settings.path(settings.knowledge.folder),
        index_dir=settings.path(settings.knowledge.index_dir),
        embedder=embedder_for(settings.knowledge),
        languages=LanguageRegistry.load().codes,
        reload_interval=settings.knowledge.reload_interval_seconds,
        observe_search=metrics.retrieval_seconds.observe if metrics is not None else None,
    )
    calendar = HallCalendar.load(
        facts_path=settings.path(settings.knowledge.folder) / FACTS_FILE_NAME
    )
    return ActionServices(
        knowledge=knowledge,
        unanswered=UnansweredLog(engine),
        calendar=calendar,
        bookings=BookingBook(
            engine,
            settings.booking.capacity_per_slot,
            settings.booking.max_active_per_conversation,
        ),
        handoffs=HandoffQueue(engine),
        ratings=RatingLog(engine),
        clock=calendar.now,
    )


def build_actions(settings: Settings, services: ActionServices) -> list[Action]:
    """The actions, in no particular order."""
    knowledge = settings.knowledge
    thresholds = knowledge.thresholds
    rules = BookingRules(
        services.calendar, services.bookings, services.clock, settings.booking.max_days_ahead
    )
    strings = StringCatalogue.load()

    def today() -> date:  # in the hall's time zone, as the booking calendar sees it
        return services.clock().date()

    return [
        ActionValidateSlotMappings(),
        ActionGreetUser(settings.privacy.retention_days),
        ActionAnswerFromKnowledge(
            services.knowledge,
            services.unanswered,
            thresholds,
            knowledge.suggestions,
            today=today,
            strings=strings,
        ),
        ActionDidYouMean(
            services.knowledge,
            services.unanswered,
            thresholds,
            knowledge.suggestions,
            today=today,
            strings=strings,
        ),
        ActionRecordFeedback(services.ratings),
        ActionOfferLanguages(),
        ActionLeaveForm(),
        ValidateArrivalPlanForm(services.clock),
        ActionArrivalChecklist(services.clock),
        ValidateBookingForm(rules),
        ActionAskBookingService(),
        ActionAskBookingTime(rules),
        ActionConfirmBooking(rules),
        ActionShowBooking(rules),
        ActionCancelBooking(rules),
        ActionRequestHuman(services.handoffs, services.calendar, services.clock),
        ActionStoreHandoffMessage(services.handoffs),
    ]
