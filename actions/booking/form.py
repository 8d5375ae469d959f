"""The booking form: service, date and time slot, each checked against the hall's calendar and
the slots already taken, with a reason the visitor can act on when an answer does not fit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking.catalogue import SERVICES, service_of, service_string, time_of
from actions.context import turn_context
from actions.dates import AmbiguousDate, parse_date
from actions.forms import answer_text, inform_payload
from actions.hall import Clock, HallCalendar
from actions.interface_strings import interface_string
from actions.replies import send_reply, send_string, string_button
from bot.language.values import date_param, key_param, sessions_param
from bot.storage.bookings import BookingBook

# Replies with no placeholder are catalogue keys (the gateway shows the user's language).
ASK_SERVICE = "booking_ask_service"
UNKNOWN_SERVICE = "booking_unknown_service"
NO_DATE = "booking_no_date"
# Time problems whose only placeholder is the time (09:30 reads the same in every language).
TIME_PROBLEMS = {
    "no_time": "booking_no_time",
    "slot_past": "booking_slot_past",
    "slot_full": "booking_slot_full",
}
# Date problems: catalogue keys whose {date} is sent as a typed value (a date the gateway
# writes in the user's language, bot/language/values.py).
DATE_PROBLEMS = {
    "past": "booking_past",
    "too_far": "booking_too_far",
    "weekend": "booking_weekend",
    "holiday": "booking_holiday",
    "day_full": "booking_day_full",
}
WHICH_DATE = "booking_which_date"
NEXT_OPEN = "booking_next_open"
# "{reason} {next}": a date problem followed by the next open day.
REASON_AND_NEXT = "booking_reason_and_next"
ASK_TIME = "booking_ask_time"
NOT_A_SLOT = "booking_not_a_slot"
DATE_BUTTON = "button_date"


def service_buttons(language: str) -> list[dict[str, Any]]:
    return [
        string_button(service_string(key), language, inform_payload("booking_service", key))
        for key in SERVICES
    ]


def date_button(day: date, language: str) -> dict[str, Any]:
    """A button that answers the date question with ``day`` (its title a localized date)."""
    payload = inform_payload("booking_date", day.isoformat())
    return string_button(DATE_BUTTON, language, payload, {"date": date_param(day)})


class BookingRules:
    """What can be booked when: the hall calendar, the booking window and the slots taken.

    Args:
        calendar: The hall's calendar.
        book: The stored bookings.
        clock: The current time in the hall's time zone.
        max_days_ahead: How far ahead visitors may book.
    """

    def __init__(
        self, calendar: HallCalendar, book: BookingBook, clock: Clock, max_days_ahead: int
    ) -> None:
        self.calendar = calendar
        self.book = book
        self.clock = clock
        self.max_days_ahead = max_days_ahead

    def free_slots(self, day: date) -> list[str]:
        """Slots of ``day`` that are not full and not already past."""
        now = self.clock()
        taken = self.book.taken(day)
        return [
            slot
            for slot in self.calendar.slots(day)
            if taken.get(slot, 0) < self.book.capacity_per_slot
            and not (day == now.date() and slot <= now.strftime("%H:%M"))
        ]

    def date_problem(self, day: date) -> str | None:
        """The key of the reason ``day`` cannot be booked, or None."""
        today = self.clock().date()
        if day < today:
            return "past"
        if day > today + timedelta(days=self.max_days_ahead):
            return "too_far"
        if closed := self.calendar.closed_reason(day):
            return closed
        if not self.free_slots(day):
            return "day_full"
        return None

    def next_bookable_day(self, after: date) -> date | None:
        today = self.clock().date()
        day = max(after, today)
        for _ in range(self.max_days_ahead + 1):
            day += timedelta(days=1)
            if self.date_problem(day) is None:
                return day
        return None


class ValidateBookingForm(FormValidationAction):
    """Validates each answer of the booking form."""

    def __init__(self, rules: BookingRules) -> None:
        self._rules = rules

    def name(self) -> str:
        return "validate_booking_form"

    async def validate_booking_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        service = service_of(answer_text(value, "booking_service"))
        if service is None:
            language = turn_context(tracker).reply_language
            send_reply(
                dispatcher,
                interface_string(UNKNOWN_SERVICE, language),
                language,
                buttons=service_buttons(language),
                kind="invalid_answer",
                string=UNKNOWN_SERVICE,
            )
        return {"booking_service": service}

    async def validate_booking_date(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = turn_context(tracker).reply_language
        parsed = parse_date(
            answer_text(value, "booking_date"), self._rules.clock().date(), prefer="future"
        )
        if isinstance(parsed, AmbiguousDate):
            first, second = parsed.options
            buttons = [date_button(day, language) for day in parsed.options]
            params: dict[str, object] = {"first": date_param(first), "second": date_param(second)}
            send_string(dispatcher, WHICH_DATE, language, params, buttons=buttons)
            return {"booking_date": None}
        if parsed is None:
            text = interface_string(NO_DATE, language)
            send_reply(dispatcher, text, language, kind="invalid_answer", string=NO_DATE)
            return {"booking_date": None}
        problem = self._rules.date_problem(parsed)
        if problem is None:
            return {"booking_date": parsed.isoformat()}
        reason: dict[str, object] = {"date": date_param(parsed)}
        if problem == "too_far":
            reason["days"] = self._rules.max_days_ahead
        key, params = DATE_PROBLEMS[problem], reason
        buttons = []
        if problem != "too_far" and (suggested := self._rules.next_bookable_day(parsed)):
            key = REASON_AND_NEXT
            params = {
                "reason": key_param(DATE_PROBLEMS[problem], reason),
                "next": key_param(NEXT_OPEN, {"date": date_param(suggested)}),
            }
            buttons = [date_button(suggested, language)]
        send_string(
            dispatcher,
            key,
            language,
            params,
            buttons=buttons,
            kind="invalid_answer",
            data={"reason": problem},
        )
        return {"booking_date": None}

    async def validate_booking_time(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        language = turn_context(tracker).reply_language
        if not tracker.get_slot("booking_date"):  # a stale time button before a day is chosen
            return {"booking_time": None}
        day = date.fromisoformat(str(tracker.get_slot("booking_date")))
        slot = time_of(answer_text(value, "booking_time"))
        problem = None
        if slot is None:
            problem = "no_time"
        elif slot not in self._rules.calendar.slots(day):
            problem = "not_a_slot"
        elif slot not in self._rules.free_slots(day):
            now = self._rules.clock()
            past = day == now.date() and slot <= now.strftime("%H:%M")
            problem = "slot_past" if past else "slot_full"
        if problem is None:
            return {"booking_time": slot}
        if problem in TIME_PROBLEMS:
            key = TIME_PROBLEMS[problem]
            params = {"time": slot} if slot else {}
            send_reply(
                dispatcher,
                interface_string(key, language, **params),
                language,
                kind="invalid_answer",
                data={"reason": problem},
                string=key,
                params=params,
            )
            return {"booking_time": None}
        send_string(
            dispatcher,
            NOT_A_SLOT,
            language,
            {"time": slot, "hours": sessions_param(self._rules.calendar.sessions)},
            kind="invalid_answer",
            data={"reason": problem},
        )
        return {"booking_time": None}


class ActionAskBookingService(Action):
    """Asks for the service, with the hall's services as buttons."""

    def name(self) -> str:
        return "action_ask_booking_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = turn_context(tracker).reply_language
        send_reply(
            dispatcher,
            interface_string(ASK_SERVICE, language),
            language,
            buttons=service_buttons(language),
            string=ASK_SERVICE,
        )
        return []


class ActionAskBookingTime(Action):
    """Asks for the time, offering the free slots of the chosen day as buttons."""

    def __init__(self, rules: BookingRules) -> None:
        self._rules = rules

    def name(self) -> str:
        return "action_ask_booking_time"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = turn_context(tracker).reply_language
        day = date.fromisoformat(str(tracker.get_slot("booking_date")))
        slots = self._rules.free_slots(day)
        send_string(
            dispatcher,
            ASK_TIME,
            language,
            {"date": date_param(day), "hours": sessions_param(self._rules.calendar.sessions)},
            buttons=[{"title": s, "payload": inform_payload("booking_time", s)} for s in slots],
            data={"date": day.isoformat(), "free_slots": slots},
        )
        return []
