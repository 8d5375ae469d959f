"""Requests to talk to a person: what staff need to pick up the conversation."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
    update,
)

from bot.storage.database import metadata

handoff_requests = Table(
    "handoff_requests",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("sender_id", String(160), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    # JSON list of {"role": "user"|"bot", "text": ...}, oldest first.
    Column("transcript", Text, nullable=False),
    # open: waiting for staff; staff tools move it on (taken, closed).
    Column("status", String(16), nullable=False, default="open", index=True),
    Column("during_opening_hours", Integer, nullable=False),
    Column("message", Text),
)


@dataclass(frozen=True)
class HandoffRequest:
    id: int
    created_at: datetime
    sender_id: str
    channel: str
    language: str
    transcript: list[dict[str, Any]]
    status: str
    during_opening_hours: bool
    message: str | None


class HandoffQueue:
    """Records requests for a person and the messages left outside opening hours."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open_request(
        self,
        *,
        sender_id: str,
        channel: str,
        language: str,
        transcript: list[dict[str, Any]],
        during_opening_hours: bool,
        now: datetime | None = None,
    ) -> int:
        """Records a request and returns its id."""
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(handoff_requests).values(
                    created_at=now or datetime.now(UTC),
                    sender_id=sender_id,
                    channel=channel,
                    language=language,
                    transcript=json.dumps(transcript, ensure_ascii=False),
                    status="open",
                    during_opening_hours=int(during_opening_hours),
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def leave_message(self, request_id: int, message: str) -> bool:
        """Stores the visitor's message with their request; False if there is no such request."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(handoff_requests)
                .where(handoff_requests.c.id == request_id)
                .values(message=message)
            ).rowcount
        return changed == 1

    def recent(self, limit: int = 50, status: str | None = None) -> list[HandoffRequest]:
        query = select(handoff_requests).order_by(
            handoff_requests.c.created_at.desc(), handoff_requests.c.id.desc()
        )
        if status:
            query = query.where(handoff_requests.c.status == status)
        with self._engine.connect() as connection:
            rows = connection.execute(query.limit(limit)).mappings().all()
        return [
            HandoffRequest(
                **{
                    **row,
                    "transcript": json.loads(row["transcript"]),
                    "during_opening_hours": bool(row["during_opening_hours"]),
                }
            )
            for row in rows
        ]
