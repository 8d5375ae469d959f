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
from actions.replies import send_reply
from actions.transcript import transcript
from actions.wording import format_moment
from bot.storage.handoffs import HandoffQueue

log = logging.getLogger(__name__)

TEXT = {
    "open": {
        "en": "I've asked the staff of the service hall to join. A member of staff will reply "
        "here shortly; they can read our conversation so far.",
        "zh": "已通知服务大厅工作人员，工作人员稍后会在这里回复您，并能看到我们之前的对话。",
    },
    "closed": {
        "en": "The hall is closed now; staff are back on {when}. Leave a short message and they "
        "will reply then. What would you like to tell them?",
        "zh": "大厅现在不在办公时间，工作人员将于{when}回来。请留言，工作人员上班后会回复您。"
        "您想留言说什么？",
    },
    "message_taken": {
        "en": "Thank you, your message is saved. Staff will reply after the hall opens.",
        "zh": "谢谢，您的留言已保存，工作人员上班后会回复您。",
    },
    "store_failed": {
        "en": "Sorry, I could not pass your request to staff just now.",
        "zh": "抱歉，暂时无法将您的请求转给工作人员。",
    },
}


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
            send_reply(dispatcher, TEXT["store_failed"][language], language, kind="handoff")
            send_reach_a_person(dispatcher, language)
            return [SlotSet("handoff_outside_hours", False)]
        data: dict[str, Any] = {"request_id": request_id, "staff_available": is_open}
        if is_open:
            send_reply(dispatcher, TEXT["open"][language], language, kind="handoff", data=data)
        else:
            back = self._calendar.next_opening(now)
            data["staff_back_at"] = back.isoformat()
            text = TEXT["closed"][language].format(when=format_moment(back, language))
            send_reply(dispatcher, text, language, kind="handoff", data=data)
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
        key = "message_taken" if stored else "store_failed"
        send_reply(
            dispatcher,
            TEXT[key][language],
            language,
            kind="handoff",
            data={"request_id": request_id, "message_stored": bool(stored)},
        )
        if not stored:
            send_reach_a_person(dispatcher, language)
        return [SlotSet("handoff_message", None), SlotSet("handoff_outside_hours", None)]
