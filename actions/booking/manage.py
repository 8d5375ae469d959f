"""Storing a completed booking, and showing or cancelling appointments by confirmation code."""

from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.booking.catalogue import service_string
from actions.booking.form import BookingRules
from actions.context import TurnContext, turn_context
from actions.interface_strings import interface_string
from actions.replies import send_reply, send_string, string_button
from bot.language.values import date_param, key_param
from bot.storage.bookings import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Booking,
    SlotFullError,
    TooManyBookingsError,
)

log = logging.getLogger(__name__)

CODE_ENTITY = "confirmation_code"
# A code as typed inside a sentence: the code alphabet only, at least one digit.
CODE_IN_TEXT = re.compile(
    rf"(?<![A-Za-z0-9])(?=[{CODE_ALPHABET}]*[0-9])[{CODE_ALPHABET}]{{{CODE_LENGTH}}}(?![A-Za-z0-9])",
    re.IGNORECASE,
)
BOOKING_SLOTS = ("booking_service", "booking_date", "booking_time")

# Replies with no placeholder are catalogue keys (the gateway shows the user's language).
STORE_FAILED = "booking_store_failed"
NONE_UPCOMING = "booking_none_upcoming"
YOUR_BOOKINGS = "booking_your_bookings"
WHICH_CANCEL = "booking_which_cancel"
# With placeholders that read the same in every language (sent as the reply's params).
TOO_MANY = "booking_too_many"
TAKEN_MEANWHILE = "booking_taken_meanwhile"
UNKNOWN_CODE = "booking_unknown_code"
ALREADY_CANCELLED = "booking_already_cancelled"
# With dates and service names, sent as typed values the gateway writes in the user's language
# (bot/language/values.py).
BOOKED = "booking_booked"
SHOW = "booking_show"
CANCELLED = "booking_cancelled"
STATUS = {"booked": "booking_status_booked", "cancelled": "booking_status_cancelled"}
CANCEL_BUTTON = "booking_cancel_button_when"


def code_in(tracker: Tracker) -> str | None:
    """The confirmation code from a button's entity or from the typed text."""
    entity = next(tracker.get_latest_entity_values(CODE_ENTITY), None)
    if entity:
        return str(entity).upper()
    text = str((tracker.latest_message or {}).get("text") or "")
    match = CODE_IN_TEXT.search(text)
    return match.group(0).upper() if match else None


def describe(booking: Booking) -> dict[str, object]:
    """The placeholder values of a booking's replies (typed: service and date)."""
    return {
        "code": booking.code,
        "service": key_param(service_string(booking.service)),
        "date": date_param(booking.day),
        "time": booking.slot,
    }


def booking_data(booking: Booking) -> dict[str, Any]:
    return {
        "code": booking.code,
        "service": booking.service,
        "date": booking.day.isoformat(),
        "time": booking.slot,
        "status": booking.status,
    }


class ActionConfirmBooking(Action):
    """Stores the completed form's booking and gives the confirmation code."""

    def __init__(self, rules: BookingRules) -> None:
        self._rules = rules

    def name(self) -> str:
        return "action_confirm_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        reset = [SlotSet(slot, None) for slot in BOOKING_SLOTS]
        slot = str(tracker.get_slot("booking_time"))
        try:
            booking = self._rules.book.book(
                sender_id=tracker.sender_id,
                channel=context.channel,
                language=context.language,
                service=str(tracker.get_slot("booking_service")),
                day=date.fromisoformat(str(tracker.get_slot("booking_date"))),
                slot=slot,
                now=self._rules.clock(),
            )
        except SlotFullError:
            send_reply(
                dispatcher,
                interface_string(TAKEN_MEANWHILE, language, time=slot),
                language,
                kind="invalid_answer",
                data={"reason": "slot_full"},
                string=TAKEN_MEANWHILE,
                params={"time": slot},
            )
            return reset
        except TooManyBookingsError:
            count = self._rules.book.max_active_per_sender or 0  # raised only with a limit
            send_reply(
                dispatcher,
                interface_string(TOO_MANY, language, count=count),
                language,
                kind="invalid_answer",
                data={"reason": "too_many_bookings"},
                string=TOO_MANY,
                params={"count": count},
            )
            return reset
        except SQLAlchemyError:
            log.exception("could not store a booking")
            text = interface_string(STORE_FAILED, language)
            send_reply(dispatcher, text, language, string=STORE_FAILED)
            return reset
        send_string(
            dispatcher,
            BOOKED,
            language,
            describe(booking),
            kind="booking",
            data=booking_data(booking),
        )
        return reset


class _ByCodeAction(Action):
    """Shared by show and cancel: a code, or the sender's upcoming appointments."""

    def __init__(self, rules: BookingRules) -> None:
        self._rules = rules

    def _upcoming(self, tracker: Tracker) -> list[Booking]:
        return self._rules.book.upcoming_for(tracker.sender_id, self._rules.clock().date())

    def _none_upcoming(self, dispatcher: CollectingDispatcher, language: str) -> None:
        send_reply(
            dispatcher,
            interface_string(NONE_UPCOMING, language),
            language,
            kind="booking",
            buttons=[
                {
                    "title": interface_string("button_book_appointment", language),
                    "payload": "/book_appointment",
                }
            ],
            string=NONE_UPCOMING,
        )

    def _show(
        self, dispatcher: CollectingDispatcher, booking: Booking, context: TurnContext
    ) -> None:
        params = {**describe(booking), "status": key_param(STATUS[booking.status])}
        send_string(
            dispatcher,
            SHOW,
            context.reply_language,
            params,
            kind="booking",
            data=booking_data(booking),
        )


class ActionShowBooking(_ByCodeAction):
    """Shows the appointment with the given code, or the sender's upcoming ones."""

    def name(self) -> str:
        return "action_show_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        code = code_in(tracker)
        if code:
            # Only the conversation that booked it may see it: another code is "not found".
            booking = self._rules.book.get_for(code, tracker.sender_id)
            if booking is None:
                text = interface_string(UNKNOWN_CODE, language, code=code)
                send_reply(dispatcher, text, language, string=UNKNOWN_CODE, params={"code": code})
            else:
                self._show(dispatcher, booking, context)
            return []
        upcoming = self._upcoming(tracker)
        if not upcoming:
            self._none_upcoming(dispatcher, language)
        else:
            text = interface_string(YOUR_BOOKINGS, language)
            send_reply(dispatcher, text, language, string=YOUR_BOOKINGS)
            for booking in upcoming:
                self._show(dispatcher, booking, context)
        return []


class ActionCancelBooking(_ByCodeAction):
    """Cancels the appointment with the given code; without a code, offers the sender's."""

    def name(self) -> str:
        return "action_cancel_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = turn_context(tracker).reply_language
        code = code_in(tracker)
        if not code:
            upcoming = self._upcoming(tracker)
            if not upcoming:
                self._none_upcoming(dispatcher, language)
                return []
            buttons = [
                string_button(
                    CANCEL_BUTTON,
                    language,
                    f'/cancel_appointment{{"{CODE_ENTITY}": "{b.code}"}}',
                    {"code": b.code, "date": date_param(b.day), "time": b.slot},
                )
                for b in upcoming
            ]
            text = interface_string(WHICH_CANCEL, language)
            send_reply(dispatcher, text, language, buttons=buttons, string=WHICH_CANCEL)
            return []
        cancelled = self._rules.book.cancel(
            code, now=self._rules.clock(), sender_id=tracker.sender_id
        )
        if cancelled is not None:
            send_string(
                dispatcher,
                CANCELLED,
                language,
                describe(cancelled),
                kind="booking",
                data=booking_data(cancelled),
            )
            return []
        existing = self._rules.book.get_for(code, tracker.sender_id)
        key = ALREADY_CANCELLED if existing is not None else UNKNOWN_CODE
        text = interface_string(key, language, code=code)
        send_reply(dispatcher, text, language, string=key, params={"code": code})
        return []
