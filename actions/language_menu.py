"""``change_language``: the channel shows its own language picker (reply kind ``language_menu``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.interface_strings import interface_string
from actions.replies import send_reply

# The catalogue key of the menu's text (the gateway shows the user's language).
TEXT = "language_menu_intro"


class ActionOfferLanguages(Action):
    """Asks the channel to show its language picker."""

    def name(self) -> str:
        return "action_offer_languages"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        send_reply(
            dispatcher,
            interface_string(TEXT, language),
            language,
            kind="language_menu",
            data={"current_language": context.language},
            string=TEXT,
        )
        return []
