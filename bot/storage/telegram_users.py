"""What the Telegram bot remembers of a user across restarts: the conversation a kiosk deep link
continued (so Rasa keeps the same tracker) and the language the user chose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, Engine, String, Table, select, update

from bot.storage.database import metadata

telegram_users = Table(
    "telegram_users",
    metadata,
    Column("user_id", String(64), primary_key=True),
    Column("conversation_id", String(160)),
    Column("language", String(16)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class TelegramUser:
    """A Telegram user's stored state.

    Attributes:
        user_id: The Telegram user id.
        conversation_id: The continued conversation, or None for the user's own one.
        language: The language the user chose explicitly, if any.
    """

    user_id: str
    conversation_id: str | None = None
    language: str | None = None


class TelegramUsers:
    """Reads and writes :class:`TelegramUser` rows in the app database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, user_id: str) -> TelegramUser:
        """The stored state of ``user_id`` (an empty one for a new user)."""
        table = telegram_users
        with self._engine.connect() as connection:
            row = connection.execute(
                select(table.c.conversation_id, table.c.language).where(table.c.user_id == user_id)
            ).first()
        if row is None:
            return TelegramUser(user_id)
        return TelegramUser(user_id, row.conversation_id, row.language)

    def user_of_conversation(self, conversation_id: str) -> str | None:
        """The Telegram user who continues ``conversation_id`` (begun on the kiosk), if any."""
        table = telegram_users
        with self._engine.connect() as connection:
            row = connection.execute(
                select(table.c.user_id).where(table.c.conversation_id == conversation_id)
            ).first()
        return str(row.user_id) if row is not None else None

    def save(self, user: TelegramUser) -> None:
        """Inserts or replaces the row of ``user.user_id``."""
        table = telegram_users
        values = {
            "conversation_id": user.conversation_id,
            "language": user.language,
            "updated_at": datetime.now(UTC),
        }
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(table).where(table.c.user_id == user.user_id).values(**values)
            ).rowcount
            if changed == 0:
                connection.execute(table.insert().values(user_id=user.user_id, **values))
