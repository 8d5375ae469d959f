"""``change_language``: the channel shows its own language picker (reply kind ``language_menu``)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import turn_context
from actions.replies import send_reply

TEXT = {
    "en": "Choose your language below. I answer in English and Chinese myself and translate "
    "for 30 more languages.",
    "zh": "请在下方选择语言。我可以直接用中文和英文回答，其他30种语言通过翻译提供。",
}


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
            TEXT[language],
            language,
            kind="language_menu",
            data={"current_language": context.language},
        )
        return []
