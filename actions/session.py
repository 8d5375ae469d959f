"""Keeps the ``language`` and ``channel`` slots in step with the gateway's metadata.

Rasa runs ``action_validate_slot_mappings`` after every user message, before predicting the
next action, so responses with a ``language`` condition are rendered in the user's language.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.types import DomainDict

from actions.context import turn_context


class ActionValidateSlotMappings(ValidationAction):
    """Fills ``language`` and ``channel`` from the message metadata on every turn."""

    def name(self) -> str:
        return "action_validate_slot_mappings"

    async def extract_language(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"language": turn_context(tracker).language}

    async def extract_channel(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"channel": turn_context(tracker).channel}
