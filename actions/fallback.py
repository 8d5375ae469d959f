"""When NLU is not sure: a "did you mean" built from the likeliest intents' descriptions and
the knowledge base's closest entries (stage one); a user still not understood on the next
message is offered a person (stage two, see ``actions.faq.was_stuck_before``).

A message that the knowledge base answers confidently is simply answered: the fallback only
means the intent classifier was unsure, not that the question is unanswerable.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.faq import ActionAnswerFromKnowledge, entry_payload
from actions.forms import FORM_SLOTS
from actions.interface_strings import interface_string

# What each intent a user may have meant offers, as a button: the catalogue key of its title, so
# the gateway shows it in the user's own language (the catalogue's English text is the title).
INTENT_BUTTONS: dict[str, str] = {
    "plan_arrival": "button_plan_arrival",
    "book_appointment": "button_book_appointment",
    "show_appointment": "button_show_appointment",
    "cancel_appointment": "button_cancel_appointment",
    "request_human": "button_talk_to_person",
    "change_language": "button_change_language",
    "help": "button_what_can_you_do",
}
# Intents answered by a knowledge entry: the button opens the entry.
SPECIAL_PAYLOADS = {"hall_hours_location": entry_payload("community-hall-opening-hours")}
SPECIAL_BUTTONS = {"hall_hours_location": "button_hours_directions"}
MAX_INTENT_SUGGESTIONS = 2
MIN_INTENT_CONFIDENCE = 0.1


class ActionDidYouMean(ActionAnswerFromKnowledge):
    """Runs on ``nlu_fallback``: answers if the knowledge base is sure, else "did you mean"."""

    def name(self) -> str:
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = await super().run(dispatcher, tracker, domain)
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        if intent == "inform":
            # A form answer (e.g. an old button) outside its form must not pre-fill the next one.
            events += [SlotSet(slot, None) for slots in FORM_SLOTS.values() for slot in slots]
        return events

    def _intent_suggestions(self, tracker: Tracker, language: str) -> list[dict[str, str]]:
        ranking = (tracker.latest_message or {}).get("intent_ranking") or []
        buttons: list[dict[str, str]] = []
        for item in ranking:
            name = str(item.get("name"))
            if float(item.get("confidence") or 0) < MIN_INTENT_CONFIDENCE:
                break
            if name in INTENT_BUTTONS:
                key, payload = INTENT_BUTTONS[name], f"/{name}"
            elif name in SPECIAL_BUTTONS:
                key, payload = SPECIAL_BUTTONS[name], SPECIAL_PAYLOADS[name]
            else:
                continue
            buttons.append({"title": interface_string(key, language), "payload": payload})
            if len(buttons) == MAX_INTENT_SUGGESTIONS:
                break
        return buttons
