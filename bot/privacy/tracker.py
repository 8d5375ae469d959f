"""Rasa's SQL tracker store, read and pruned by the gateway (SQLite or PostgreSQL).

Rasa 3.6 keeps every event of a conversation as a row of its ``events`` table (``sender_id``,
``timestamp`` in epoch seconds, ``data`` as JSON) and reads them again on every message: it
caches no tracker in memory, so deleting the rows forgets the conversation. The gateway deletes
while it holds the conversation's turn lock, so no turn of that conversation is running.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    func,
    inspect,
    select,
)

_metadata = MetaData()
# Only the columns this module touches; Rasa creates and owns the table.
events = Table(
    "events",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("data", Text),
)


class RasaTrackerEvents:
    """Deletes conversations from Rasa's tracker database.

    Args:
        engine: An engine on the tracker database (``storage.rasa_tracker_url``).
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def engine(self) -> Engine:
        return self._engine

    def _exists(self) -> bool:
        # Rasa creates the table when it first starts; before that there is nothing to delete.
        return inspect(self._engine).has_table("events")

    def delete(self, sender_ids: Iterable[str]) -> int:
        """Deletes every event of these conversations; returns how many."""
        ids = list(sender_ids)
        if not ids or not self._exists():
            return 0
        with self._engine.begin() as connection:
            return connection.execute(delete(events).where(events.c.sender_id.in_(ids))).rowcount

    def idle_since(self, cutoff: datetime) -> list[str]:
        """Conversations whose last event is older than ``cutoff``."""
        if not self._exists():
            return []
        query = (
            select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(func.max(events.c.timestamp) < cutoff.timestamp())
        )
        with self._engine.connect() as connection:
            return [row[0] for row in connection.execute(query).all()]

    def count(self, sender_id: str) -> int:
        """How many events a conversation has (0 once deleted)."""
        if not self._exists():
            return 0
        query = select(func.count()).where(events.c.sender_id == sender_id)
        with self._engine.connect() as connection:
            return int(connection.execute(query).scalar_one())
