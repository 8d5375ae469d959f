"""Server-issued web and kiosk sessions: a signed, unguessable token names a conversation."""

from bot.sessions.service import Session, SessionError, Sessions
from bot.sessions.signing import load_or_create_secret

__all__ = ["Session", "SessionError", "Sessions", "load_or_create_secret"]
