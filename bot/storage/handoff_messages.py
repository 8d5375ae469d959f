"""A live handoff: who took a request, and the messages exchanged while staff held it.

Staff messages double as the delivery outbox: ``delivered_at`` stays empty until the user's
channel (an open websocket, the Telegram bot, the next reconnect) has shown the message.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text

from bot.storage.database import metadata

handoff_assignments = Table(
    "handoff_assignments",
    metadata,
    Column("request_id", Integer, primary_key=True),
    Column("staff", String(64), nullable=False, index=True),
    Column("taken_at", DateTime(timezone=True), nullable=False),
    Column("closed_at", DateTime(timezone=True)),
    # A username, or "user" when the visitor went back to the assistant.
    Column("closed_by", String(64)),
)

handoff_messages = Table(
    "handoff_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("request_id", Integer, nullable=False, index=True),
    Column("sender_id", String(160), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    # "user" (the visitor), "staff", or "system" (handed back).
    Column("role", String(16), nullable=False),
    Column("author", String(64)),  # the staff member's username
    Column("text", Text, nullable=False),
    Column("language", String(16), nullable=False),
    # The other side's view: a visitor's words in English for staff, staff's words in the
    # visitor's language; empty when both write the same language.
    Column("rendering", Text),
    Column("rendering_language", String(16)),
    Column("machine_translated", Boolean, nullable=False, default=False),
    Column("notes", Text),  # JSON list of localized notes ("translation not installed")
    Column("delivered_at", DateTime(timezone=True), index=True),
)
