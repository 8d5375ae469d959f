"""The app database's migrations, on SQLite and this machine's real PostgreSQL: databases that
create_all made before migrations are adopted without losing rows, concurrent starts are safe,
and the revisions build exactly the schema the code declares."""

from __future__ import annotations

import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select

from bot.cli import main
from bot.storage import migrations
from bot.storage.database import create_database_engine, ensure_schema, load_tables, metadata
from bot.storage.handoffs import handoff_requests
from bot.storage.migrations import REVISION_TABLES, current_revision, head_revision
from bot.storage.staff import staff_users

ADMIN = "postgresql://127.0.0.1:5432/test"
ALL_TABLES = REVISION_TABLES["0001"] | REVISION_TABLES["0002"]
NOW = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """An empty database of its own: a file for SQLite, a fresh database on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    name = f"talentdesk_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(database_url)
    yield engine
    engine.dispose()


def _create_all(engine: Engine, tables: frozenset[str]) -> None:
    """What the old ensure_schema did, for the tables the code had then (their definitions have
    not changed since)."""
    load_tables()
    metadata.create_all(engine, tables=[metadata.tables[name] for name in sorted(tables)])


def _add_handoff_request(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(
            insert(handoff_requests).values(
                created_at=NOW,
                sender_id="kiosk:YESTERDAY",
                channel="kiosk",
                language="en",
                transcript="[]",
                status="open",
                during_opening_hours=1,
                message="please call me",
            )
        )


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return current_revision(connection)


def _schema_drift(engine: Engine) -> list:
    load_tables()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_yesterdays_database_is_upgraded_and_keeps_its_rows(engine: Engine) -> None:
    _create_all(engine, REVISION_TABLES["0001"])
    _add_handoff_request(engine)

    ensure_schema(engine)

    assert _revision(engine) == head_revision() == "0002"
    assert set(inspect(engine).get_table_names()) >= ALL_TABLES
    with engine.connect() as connection:
        rows = connection.execute(select(handoff_requests.c.sender_id, handoff_requests.c.message))
        assert [tuple(row) for row in rows] == [("kiosk:YESTERDAY", "please call me")]
    with engine.begin() as connection:
        connection.execute(
            insert(staff_users).values(
                username="li",
                display_name="Li",
                role="staff",
                password_hash="x",
                active=True,
                created_at=NOW,
            )
        )
    assert _schema_drift(engine) == []


def test_todays_create_all_database_is_stamped_at_head_without_creating_anything(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    _create_all(engine, ALL_TABLES)
    _add_handoff_request(engine)
    created: list[str] = []
    monkeypatch.setattr(migrations, "table_is_missing", lambda name: created.append(name))

    ensure_schema(engine)

    assert _revision(engine) == "0002"
    assert created == []  # stamped at 0002: no revision ran
    with engine.connect() as connection:
        assert connection.execute(select(handoff_requests.c.id)).scalars().all() == [1]


def test_an_older_database_with_only_some_tables_gets_the_missing_ones(engine: Engine) -> None:
    _create_all(engine, frozenset({"handoff_requests", "bookings"}))
    _add_handoff_request(engine)

    ensure_schema(engine)

    assert set(inspect(engine).get_table_names()) >= ALL_TABLES
    with engine.connect() as connection:
        assert connection.execute(select(handoff_requests.c.sender_id)).scalars().all() == [
            "kiosk:YESTERDAY"
        ]
    assert _schema_drift(engine) == []


def test_the_migrations_build_exactly_the_declared_schema(engine: Engine) -> None:
    ensure_schema(engine)
    assert _revision(engine) == head_revision()
    assert _schema_drift(engine) == []


def test_a_database_at_head_is_not_migrated_again(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ensure_schema(engine)

    def refuse(*_: object) -> None:
        raise AssertionError("the lock was taken although the database is at head")

    monkeypatch.setattr(migrations, "_migration_lock", refuse)
    ensure_schema(engine)


def test_services_starting_at_once_on_a_fresh_database_all_succeed(database_url: str) -> None:
    """Each thread has its own engine, like the gateway, the bot and the action server."""
    engines = [create_database_engine(database_url) for _ in range(3)]
    start = threading.Barrier(len(engines))
    errors: list[BaseException] = []

    def start_service(engine: Engine) -> None:
        start.wait()
        try:
            ensure_schema(engine)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start_service, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert all(_revision(engine) == "0002" for engine in engines)
    with engines[0].connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
    for engine in engines:
        engine.dispose()


def test_a_database_newer_than_the_code_is_refused_with_a_clear_message(engine: Engine) -> None:
    ensure_schema(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    with pytest.raises(RuntimeError, match="revision 0999, newer than this code knows"):
        ensure_schema(engine)


# Each process imports everything, then waits for the go file, so the upgrades really overlap.
SERVICE = """
import sys, time
from pathlib import Path
from bot.storage.database import create_database_engine, ensure_schema
engine = create_database_engine(sys.argv[1])
while not Path(sys.argv[2]).exists():
    time.sleep(0.01)
ensure_schema(engine)
"""


def test_processes_starting_at_once_on_a_fresh_database_all_succeed(
    database_url: str, tmp_path
) -> None:
    go = tmp_path / "go"
    services = [
        subprocess.Popen(
            [sys.executable, "-c", SERVICE, database_url, str(go)],
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    go.touch()
    failures = [p.communicate(timeout=120)[1] for p in services if p.wait(timeout=120) != 0]
    assert failures == []
    engine = create_database_engine(database_url)
    assert _revision(engine) == "0002"
    assert _schema_drift(engine) == []
    engine.dispose()


def test_db_commands(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("TALENTDESK_STORAGE__DATABASE_URL", database_url)
    assert main(["db", "current"]) == 1
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert main(["db", "history"]) == 0
    output = capsys.readouterr().out
    assert "no revision" in output
    assert "0002 (head)" in output
    assert "<base> -> 0001" in output
