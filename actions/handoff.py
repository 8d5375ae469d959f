"""Talk to a person: a request for staff with the transcript and the user's language.

Inside opening hours staff reply in the same chat; outside them the assistant says when staff
are back and takes a message (the ``handoff_form``), stored with the request.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.context import turn_context
from actions.faq import send_reach_a_person
from actions.hall import Clock, HallCalendar
from actions.interface_strings import interface_string
from actions.replies import send_reply, send_string
from actions.transcript import transcript
from bot.language.values import date_param
from bot.storage.handoffs import HandoffQueue

log = logging.getLogger(__name__)

# Catalogue keys of the replies (the gateway shows them in the user's own language).
OPEN = "handoff_open"
MESSAGE_TAKEN = "handoff_message_taken"
STORE_FAILED = "handoff_store_failed"
# "Staff are back on {date} at {time}": the date is a typed value the gateway writes in the
# user's language (bot/language/values.py); the time (9:00) reads the same in every language.
CLOSED = "handoff_closed"


def send_keyed(dispatcher: CollectingDispatcher, key: str, language: str, **kwargs: Any) -> None:
    """Sends the catalogue string ``key`` as a handoff reply that names its key."""
    text = interface_string(key, language)
    send_reply(dispatcher, text, language, kind="handoff", string=key, **kwargs)


class ActionRequestHuman(Action):
    """Records the request; sets ``handoff_outside_hours`` so the rules take a message.

    Args:
        queue: Where requests are stored for staff.
        calendar: The hall's opening hours.
        clock: The current time in the hall's time zone.
    """

    def __init__(self, queue: HandoffQueue, calendar: HallCalendar, clock: Clock) -> None:
        self._queue = queue
        self._calendar = calendar
        self._clock = clock

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        now = self._clock()
        is_open = self._calendar.is_open_at(now)
        try:
            request_id = await asyncio.to_thread(
                self._queue.open_request,
                sender_id=tracker.sender_id,
                channel=context.channel,
                language=context.language,
                transcript=transcript(tracker),
                during_opening_hours=is_open,
                now=now,
            )
        except SQLAlchemyError:
            log.exception("could not record a handoff request")
            send_keyed(dispatcher, STORE_FAILED, language)
            send_reach_a_person(dispatcher, language)
            return [SlotSet("handoff_outside_hours", False)]
        data: dict[str, Any] = {"request_id": request_id, "staff_available": is_open}
        if is_open:
            send_keyed(dispatcher, OPEN, language, data=data)
        else:
            back = self._calendar.next_opening(now)
            data["staff_back_at"] = back.isoformat()
            params = {"date": date_param(back.date()), "time": f"{back.hour}:{back.minute:02d}"}
            send_string(dispatcher, CLOSED, language, params, kind="handoff", data=data)
        return [
            SlotSet("handoff_request_id", request_id),
            SlotSet("handoff_outside_hours", not is_open),
        ]


class ActionStoreHandoffMessage(Action):
    """Stores the message left outside opening hours with its request."""

    def __init__(self, queue: HandoffQueue) -> None:
        self._queue = queue

    def name(self) -> str:
        return "action_store_handoff_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        message = str(tracker.get_slot("handoff_message") or "")[:2000]
        request_id = tracker.get_slot("handoff_request_id")
        try:
            stored = request_id is not None and await asyncio.to_thread(
                self._queue.leave_message, int(request_id), message
            )
        except SQLAlchemyError:
            log.exception("could not store a handoff message")
            stored = False
        send_keyed(
            dispatcher,
            MESSAGE_TAKEN if stored else STORE_FAILED,
            language,
            data={"request_id": request_id, "message_stored": bool(stored)},
        )
        if not stored:
            send_reach_a_person(dispatcher, language)
        return [SlotSet("handoff_message", None), SlotSet("handoff_outside_hours", None)]
