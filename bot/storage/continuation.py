"""Continuation tokens: a kiosk conversation carried to the visitor's phone.

The kiosk shows a QR code with a Telegram deep link (``t.me/<bot>?start=<token>``). Telegram's
``/start <token>`` redeems the token once and the Telegram chat continues the same Rasa
conversation, in the same language. Tokens expire, so a photo of an old screen is useless.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert, select, update

from bot.storage.database import metadata

continuation_tokens = Table(
    "continuation_tokens",
    metadata,
    Column("token", String(64), primary_key=True),
    Column("conversation_id", String(160), nullable=False),
    Column("language", String(16), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
    Column("redeemed_by", String(160)),
)


@dataclass(frozen=True)
class Continuation:
    conversation_id: str
    language: str


class ContinuationTokens:
    """Issues and redeems single-use continuation tokens.

    Args:
        engine: The app database.
        lifetime: How long a token can be redeemed after it was issued.
    """

    def __init__(self, engine: Engine, lifetime: timedelta = timedelta(minutes=30)) -> None:
        self._engine = engine
        self._lifetime = lifetime

    def issue(self, conversation_id: str, language: str, now: datetime | None = None) -> str:
        """A new token for ``conversation_id`` (Telegram allows [A-Za-z0-9_-], up to 64)."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(16)
        with self._engine.begin() as connection:
            connection.execute(
                delete(continuation_tokens).where(continuation_tokens.c.expires_at < now)
            )
            connection.execute(
                insert(continuation_tokens).values(
                    token=token,
                    conversation_id=conversation_id,
                    language=language,
                    expires_at=now + self._lifetime,
                )
            )
        return token

    def redeem(
        self, token: str, redeemed_by: str, now: datetime | None = None
    ) -> Continuation | None:
        """The conversation ``token`` continues, or None if unknown, expired or already used."""
        now = now or datetime.now(UTC)
        table = continuation_tokens
        with self._engine.begin() as connection:
            # One UPDATE claims the token, so two phones cannot both redeem it.
            claimed = connection.execute(
                update(table)
                .where(table.c.token == token, table.c.redeemed_by.is_(None))
                .where(table.c.expires_at >= now)
                .values(redeemed_by=redeemed_by)
            ).rowcount
            if claimed != 1:
                return None
            row = connection.execute(
                select(table.c.conversation_id, table.c.language).where(table.c.token == token)
            ).one()
        return Continuation(conversation_id=row.conversation_id, language=row.language)
