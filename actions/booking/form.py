"""The booking form: service, date and time slot, each checked against the hall's calendar and
the slots already taken, with a reason the visitor can act on when an answer does not fit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.booking.catalogue import SERVICES, service_name, service_of, time_of
from actions.context import turn_context
from actions.dates import AmbiguousDate, parse_date
from actions.forms import answer_text, inform_payload
from actions.hall import Clock, HallCalendar
from actions.interface_strings import interface_string
from actions.replies import send_reply
from actions.wording import format_date
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
# Not in the catalogue yet: their values (dates, service names, hours) are written in English or
# Chinese, so a keyed reply would mix languages; these go through machine translation.
TEXT = {
    "which_date": {
        "en": "Did you mean {first} or {second}?",
        "zh": "您指的是{first}还是{second}？",
    },
    "past": {
        "en": "{date} has already passed. Please choose a day from today on.",
        "zh": "{date}已经过去了，请选择今天或以后的日期。",
    },
    "too_far": {
        "en": "Bookings open {days} days ahead; {date} is further away. "
        "Please pick an earlier day.",
        "zh": "只能预约{days}天内的日期，{date}太远了，请选择更早的日期。",
    },
    "weekend": {
        "en": "The hall is closed at weekends ({date}). It is open Monday to Friday.",
        "zh": "服务大厅周末不办公（{date}），办公时间为周一至周五。",
    },
    "holiday": {
        "en": "The hall is closed on {date}: it is a Chinese public holiday.",
        "zh": "{date}是国家法定节假日，服务大厅不办公。",
    },
    "day_full": {
        "en": "Every slot on {date} is taken (or has passed). Please choose another day.",
        "zh": "{date}的时段已全部约满（或已过），请选择其他日期。",
    },
    "next_open": {"en": "The next open day is {date}.", "zh": "最近的办公日是{date}。"},
    "ask_time": {
        "en": "Which time on {date}? The hall is open {hours}; free slots:",
        "zh": "{date}您想约几点？大厅办公时间 {hours}，可约时段：",
    },
    "not_a_slot": {
        "en": "{time} is not a booking slot: the hall is open {hours}, "
        "with slots every half hour. Please pick one of the free slots.",
        "zh": "{time}不是可预约时段：大厅办公时间 {hours}，每半小时一个时段。请选择可约时段。",
    },
}


def service_buttons(language: str) -> list[dict[str, str]]:
    return [
        {"title": service_name(key, language), "payload": inform_payload("booking_service", key)}
        for key in SERVICES
    ]


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
            first, second = (format_date(day, language) for day in parsed.options)
            buttons = [
                {
                    "title": format_date(day, language),
                    "payload": inform_payload("booking_date", day.isoformat()),
                }
                for day in parsed.options
            ]
            send_reply(
                dispatcher,
                TEXT["which_date"][language].format(first=first, second=second),
                language,
                buttons=buttons,
            )
            return {"booking_date": None}
        if parsed is None:
            text = interface_string(NO_DATE, language)
            send_reply(dispatcher, text, language, kind="invalid_answer", string=NO_DATE)
            return {"booking_date": None}
        problem = self._rules.date_problem(parsed)
        if problem is None:
            return {"booking_date": parsed.isoformat()}
        reason = TEXT[problem][language].format(
            date=format_date(parsed, language), days=self._rules.max_days_ahead
        )
        buttons = []
        if problem != "too_far" and (suggested := self._rules.next_bookable_day(parsed)):
            reason += " " + TEXT["next_open"][language].format(
                date=format_date(suggested, language)
            )
            buttons = [
                {
                    "title": format_date(suggested, language),
                    "payload": inform_payload("booking_date", suggested.isoformat()),
                }
            ]
        send_reply(
            dispatcher,
            reason,
            language,
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
        send_reply(
            dispatcher,
            TEXT[problem][language].format(
                time=slot, hours=self._rules.calendar.hours_text(language)
            ),
            language,
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
        send_reply(
            dispatcher,
            TEXT["ask_time"][language].format(
                date=format_date(day, language), hours=self._rules.calendar.hours_text(language)
            ),
            language,
            buttons=[{"title": s, "payload": inform_payload("booking_time", s)} for s in slots],
            data={"date": day.isoformat(), "free_slots": slots},
        )
        return []
