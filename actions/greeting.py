"""The greeting: written for the user's language and channel, from the interface strings."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.interface_strings import interface_string
from actions.replies import send_reply

# The greeting's buttons: (catalogue key of the title, payload).
BUTTONS = [("button_what_can_you_do", "/help")]


class ActionGreetUser(Action):
    """Greets in the user's language; on the kiosk it adds the privacy notice.

    Args:
        retention_days: How long a booking is kept, which the privacy notice states.
    """

    def __init__(self, retention_days: int = 30) -> None:
        self._retention_days = retention_days

    def name(self) -> str:
        return "action_greet_user"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        context = turn_context(tracker)
        language = context.reply_language
        send_reply(
            dispatcher,
            interface_string("greeting", language),
            language,
            buttons=[
                {"title": interface_string(key, language), "payload": payload}
                for key, payload in BUTTONS
            ],
            kind="greeting",
            string="greeting",
        )
        if context.channel == "kiosk":
            # On the kiosk strangers share one screen: say what happens to the conversation.
            days = {"days": self._retention_days}
            send_reply(
                dispatcher,
                interface_string("privacy_notice", language, **days),
                language,
                kind="privacy_notice",
                string="privacy_notice",
                params=days,
            )
        return []
