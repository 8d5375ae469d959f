"""What the forms share: reading a slot value typed or sent by a button, and leaving a form."""

from __future__ import annotations

import json
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.interface_strings import interface_string
from actions.replies import send_reply

# The slots each form fills; leaving the form clears them.
FORM_SLOTS = {
    "arrival_plan_form": ("entry_date", "stay_purpose"),
    "booking_form": ("booking_service", "booking_date", "booking_time"),
    "handoff_form": ("handoff_message",),
}
# What leaving each form says: catalogue keys (the gateway shows the user's language).
LEFT = {
    "arrival_plan_form": "form_left_arrival_plan",
    "booking_form": "form_left_booking",
    "handoff_form": "form_left_handoff",
}
NOTHING_TO_STOP = "nothing_to_stop"


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
            text = interface_string(NOTHING_TO_STOP, language)
            send_reply(dispatcher, text, language, string=NOTHING_TO_STOP)
            return []
        key = LEFT[form]
        send_reply(
            dispatcher, interface_string(key, language), language, kind="form_left", string=key
        )
        return [SlotSet(slot, None) for slot in FORM_SLOTS[form]]
