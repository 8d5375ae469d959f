"""The project's own exceptions.

Each message says how to fix the problem. Channels map them to a localized reply at their
edge; nothing below a channel catches them to hide them.
"""


class TalentDeskError(Exception):
    """Base class of every error this project raises on purpose."""


class AssistantUnavailableError(TalentDeskError):
    """The Rasa server (or something it needs) cannot answer right now."""


class TurnTimeoutError(AssistantUnavailableError):
    """A turn took longer than a caller waits; it finishes in the background and is stored."""


class InvalidMessageError(TalentDeskError):
    """A user message that cannot be processed (empty, too long, binary).

    Attributes:
        code: A stable machine-readable reason, e.g. ``text_too_long``.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class ConfigurationError(TalentDeskError):
    """A setting, file or environment that is missing or wrong."""
