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

# What each intent a user may have meant offers, as a button.
INTENT_DESCRIPTIONS: dict[str, dict[str, str]] = {
    "plan_arrival": {"en": "Plan my first weeks in China", "zh": "规划入境后的办事安排"},
    "book_appointment": {"en": "Book an appointment at the hall", "zh": "预约到大厅办事"},
    "show_appointment": {"en": "See my appointment", "zh": "查看我的预约"},
    "cancel_appointment": {"en": "Cancel an appointment", "zh": "取消预约"},
    "request_human": {"en": "Talk to a person", "zh": "联系工作人员"},
    "change_language": {"en": "Change the language", "zh": "切换语言"},
    "help": {"en": "What can you do?", "zh": "你能做什么？"},
}
SPECIAL_PAYLOADS = {"hall_hours_location": entry_payload("community-hall-opening-hours")}
SPECIAL_DESCRIPTIONS = {
    "hall_hours_location": {"en": "Hall opening hours and address", "zh": "大厅办公时间和地址"}
}
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
            if name in INTENT_DESCRIPTIONS:
                title, payload = INTENT_DESCRIPTIONS[name][language], f"/{name}"
            elif name in SPECIAL_PAYLOADS:
                title, payload = SPECIAL_DESCRIPTIONS[name][language], SPECIAL_PAYLOADS[name]
            else:
                continue
            buttons.append({"title": title, "payload": payload})
            if len(buttons) == MAX_INTENT_SUGGESTIONS:
                break
        return buttons
