"""Every action the server serves, built once with its collaborators."""

from __future__ import annotations

from rasa_sdk import Action

from actions.greeting import ActionGreetUser
from actions.session import ActionValidateSlotMappings
from bot.settings import Settings


def build_actions(settings: Settings) -> list[Action]:
    """The actions, in no particular order; ``settings`` configures their collaborators."""
    return [ActionValidateSlotMappings(), ActionGreetUser()]
