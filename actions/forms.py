"""What the forms share: reading a slot value typed or sent by a button, and leaving a form."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.replies import send_reply

# The slots each form fills; leaving the form clears them.
FORM_SLOTS = {
    "arrival_plan_form": ("entry_date", "stay_purpose"),
    "booking_form": ("booking_service", "booking_date", "booking_time"),
    "handoff_form": ("handoff_message",),
}
LEFT = {
    "arrival_plan_form": {
        "en": "OK, I've stopped the arrival plan. Ask me anything else whenever you like.",
        "zh": "好的，已退出入境安排规划。还有其他问题随时问我。",
    },
    "booking_form": {
        "en": "OK, I've stopped the booking; nothing was booked. Anything else I can do?",
        "zh": "好的，已取消本次预约流程，没有生成预约。还有什么可以帮您？",
    },
    "handoff_form": {
        "en": "OK, no message left. Your request for a person is still recorded.",
        "zh": "好的，没有留言。您联系工作人员的请求已记录。",
    },
}
NOTHING_TO_STOP = {
    "en": "There's nothing to stop. What can I help you with?",
    "zh": "当前没有进行中的流程。请问有什么可以帮您？",
}


def inform_payload(slot: str, value: str) -> str:
    """A button payload that fills ``slot`` with ``value`` without NLU."""
    return f'/inform{{"{slot}": "{value}"}}'


def answer_text(value: Any, slot: str) -> str:
    """The answer to a form question as text: a button's ``/inform{"slot": "value"}`` payload
    (when the slot took the message text) gives its value, anything else is used as it is."""
    text = str(value or "").strip()
    if text.startswith("/") and "{" in text:
        try:
            payload = json.loads(text[text.index("{") :])
        except ValueError:
            return text
        if isinstance(payload, dict) and payload.get(slot) is not None:
            return str(payload[slot])
    return text


def last_active_form(tracker: Tracker) -> str | None:
    """The form that was active most recently (also right after it was deactivated)."""
    for event in reversed(tracker.events):
        if event.get("event") == "active_loop" and event.get("name"):
            return str(event["name"])
    return None


class ActionLeaveForm(Action):
    """Runs after ``action_deactivate_loop`` when the user says stop: confirms and clears the
    form's slots, so the next attempt starts fresh."""

    def name(self) -> str:
        return "action_leave_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        language = turn_context(tracker).reply_language
        form = last_active_form(tracker)
        if form not in FORM_SLOTS:
            send_reply(dispatcher, NOTHING_TO_STOP[language], language)
            return []
        send_reply(dispatcher, LEFT[form][language], language, kind="form_left")
        return [SlotSet(slot, None) for slot in FORM_SLOTS[form]]
