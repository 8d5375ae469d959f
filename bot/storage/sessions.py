"""The live web and kiosk sessions (ids only: a session holds no personal data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Engine, String, Table, delete, insert, select

from bot.storage.database import metadata

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)


class SessionStore:
    """Rows of :data:`web_sessions`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, session_id: str, channel: str, created: datetime, expires: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(web_sessions).values(
                    id=session_id, channel=channel, created_at=created, expires_at=expires
                )
            )

    def exists(self, session_id: str) -> bool:
        with self._engine.connect() as connection:
            found = connection.execute(
                select(web_sessions.c.id).where(web_sessions.c.id == session_id)
            ).first()
        return found is not None

    def delete(self, session_id: str) -> None:
        with self._engine.begin() as connection:
            connection.execute(delete(web_sessions).where(web_sessions.c.id == session_id))

    def delete_expired(self, now: datetime) -> int:
        with self._engine.begin() as connection:
            return connection.execute(
                delete(web_sessions).where(web_sessions.c.expires_at <= now)
            ).rowcount
