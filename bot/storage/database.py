"""Engine and schema of the app database."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url

metadata = MetaData()


def create_database_engine(url: str, project_root: Path | None = None) -> Engine:
    """An engine for ``url``; a relative SQLite path is resolved against ``project_root`` and
    its folder is created."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_absolute() and project_root is not None:
            path = project_root / path
        path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed.set(database=str(path)))

        @event.listens_for(engine, "connect")
        def _wal(connection: Any, _: Any) -> None:
            # Readers (staff commands) never block the action server's writes.
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA busy_timeout=5000")

        return engine
    if parsed.drivername == "postgresql":
        # The app environment has psycopg 3; plain postgresql:// would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(parsed, pool_pre_ping=True)


def load_tables() -> None:
    """Registers every app table on ``metadata`` (importing a table module does)."""
    from bot.storage import (  # noqa: F401
        answered,
        bookings,
        continuation,
        feedback,
        handoff_messages,
        handoffs,
        sessions,
        staff,
        telegram_users,
        unanswered,
    )


def ensure_schema(engine: Engine) -> None:
    """Migrates the database to the newest schema (see bot/storage/migrations); safe when
    several processes start at once, and one query when it is already up to date."""
    from bot.storage.migrations import upgrade_to_head

    load_tables()
    upgrade_to_head(engine)
