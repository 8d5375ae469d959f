"""Privacy: erasing one conversation everywhere, and the retention purge of old data."""

from bot.privacy.erasure import ConversationEraser, Erased
from bot.privacy.retention import purge_older_than
from bot.privacy.tracker import RasaTrackerEvents

__all__ = ["ConversationEraser", "Erased", "RasaTrackerEvents", "purge_older_than"]
