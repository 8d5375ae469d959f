"""The wipe and the retention purge on PostgreSQL, the production databases: each test makes
its own temporary databases on 127.0.0.1:5432 and drops them afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import Engine

from bot.privacy import ConversationEraser, RasaTrackerEvents, purge_older_than
from bot.storage.database import create_database_engine, ensure_schema
from tests.unit.privacy.scenario import create_rasa_events_table, fill, now, rows_mentioning

ADMIN = "postgresql://127.0.0.1:5432/test"


@pytest.fixture
def stores() -> Iterator[tuple[Engine, Engine]]:
    names = [f"talentdesk_privacy_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("app", "rasa")]
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')
    app, tracker = (create_database_engine(f"postgresql://127.0.0.1:5432/{n}") for n in names)
    try:
        ensure_schema(app)
        create_rasa_events_table(tracker)
        yield app, tracker
    finally:
        app.dispose()
        tracker.dispose()
        with psycopg.connect(ADMIN, autocommit=True) as connection:
            for name in names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_wipe_removes_the_marker_from_both_postgresql_databases(stores) -> None:
    app, tracker = stores
    fill(app, tracker, "kiosk:PG", "PASSPORT-P7654321", now())
    fill(app, tracker, "kiosk:KEEP", "PASSPORT-K1111111", now())
    assert rows_mentioning(app, "P7654321") and rows_mentioning(tracker, "P7654321")
    ConversationEraser(app, RasaTrackerEvents(tracker)).erase(["kiosk:PG"])
    assert rows_mentioning(app, "P7654321") == rows_mentioning(tracker, "P7654321") == []
    assert rows_mentioning(app, "K1111111") and rows_mentioning(tracker, "K1111111")


def test_retention_on_postgresql_deletes_older_and_keeps_newer(stores) -> None:
    app, tracker = stores
    fill(app, tracker, "web:OLD", "OLD-PG-MARKER", now() - timedelta(days=8))
    fill(app, tracker, "web:NEW", "NEW-PG-MARKER", now() - timedelta(days=6))
    purge_older_than(app, RasaTrackerEvents(tracker), 7)
    assert rows_mentioning(app, "OLD-PG-MARKER") == rows_mentioning(tracker, "OLD-PG-MARKER") == []
    assert rows_mentioning(app, "NEW-PG-MARKER") and rows_mentioning(tracker, "NEW-PG-MARKER")
