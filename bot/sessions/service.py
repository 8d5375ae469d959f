"""Issuing, checking and ending sessions.

A token is ``<channel>.<id>.<expiry>.<signature>``: the signature lets any gateway reject a
forged or altered token without a database read; the session's row in the app database lets a
wipe end it for good (a deleted row is a dead token, even before it expires).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.conversation.messages import IncomingMessage
from bot.sessions.signing import sign, verify
from bot.storage.sessions import SessionStore

CHANNELS = ("web", "kiosk")
_TOKEN = re.compile(r"^(web|kiosk)\.([A-Za-z0-9_-]{24})\.([0-9]{1,12})\.([A-Za-z0-9_-]{22})$")


class SessionError(Exception):
    """A token that does not name a live session (code: the API's error code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Session:
    """A live session.

    Attributes:
        id: The random id the conversation id is derived from.
        channel: ``web`` (a personal device) or ``kiosk``.
        expires_at: When the token stops working.
    """

    id: str
    channel: str
    expires_at: datetime

    @property
    def conversation_id(self) -> str:
        """The Rasa conversation id (sender id) of this session."""
        return self.message("").sender_id

    def message(
        self, text: str, language: str | None = None, message_id: str | None = None
    ) -> IncomingMessage:
        """A message of this session for the conversation service."""
        return IncomingMessage(
            user_id=self.id,
            channel=self.channel,
            text=text,
            language=language,
            message_id=message_id,
        )


class Sessions:
    """Issues and checks session tokens.

    Args:
        store: The sessions' rows in the app database.
        secret: The signing secret (see :func:`bot.sessions.load_or_create_secret`).
        lifetimes: How long a session lives, per channel.
    """

    def __init__(self, store: SessionStore, secret: bytes, lifetimes: dict[str, timedelta]) -> None:
        if len(secret) < 32:
            raise ValueError("the session secret must have at least 32 characters")
        self._store = store
        self._secret = secret
        self._lifetimes = lifetimes

    def issue(self, channel: str, now: datetime | None = None) -> tuple[str, Session]:
        """A new session on ``channel`` and its token."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown session channel {channel!r}")
        now = now or datetime.now(UTC)
        session = Session(
            id=secrets.token_urlsafe(18),
            channel=channel,
            expires_at=(now + self._lifetimes[channel]).replace(microsecond=0),
        )
        self._store.add(session.id, channel, now, session.expires_at)
        payload = f"{channel}.{session.id}.{int(session.expires_at.timestamp())}"
        return f"{payload}.{sign(self._secret, payload)}", session

    def check(self, token: str, now: datetime | None = None) -> Session:
        """The live session ``token`` names.

        Raises:
            SessionError: malformed, forged, expired or ended.
        """
        match = _TOKEN.match(token)
        if match is None:
            raise SessionError("invalid_session", "the session token is malformed")
        channel, session_id, expiry, signature = match.groups()
        if not verify(self._secret, f"{channel}.{session_id}.{expiry}", signature):
            raise SessionError("invalid_session", "the session token was not issued here")
        expires_at = datetime.fromtimestamp(int(expiry), UTC)
        if expires_at <= (now or datetime.now(UTC)):
            raise SessionError("session_expired", "the session expired: POST /api/session")
        if not self._store.exists(session_id):
            raise SessionError("session_ended", "the session was ended: POST /api/session")
        return Session(session_id, channel, expires_at)

    def end(self, session: Session) -> None:
        """Ends ``session``: its token is refused from now on."""
        self._store.delete(session.id)

    def purge_expired(self, now: datetime | None = None) -> int:
        """Deletes the rows of expired sessions; returns how many."""
        return self._store.delete_expired(now or datetime.now(UTC))
