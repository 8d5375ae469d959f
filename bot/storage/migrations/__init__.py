"""Alembic migrations of the app database, run at start by ``ensure_schema`` and by
``python -m bot db``. Configured in code: no alembic.ini is needed."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

log = logging.getLogger(__name__)

# The tables each revision creates: a database made by create_all before migrations is stamped
# at the newest revision whose tables it has.
REVISION_TABLES = {
    "0001": frozenset(
        {
            "answer_ratings",
            "answered_messages",
            "bookings",
            "continuation_tokens",
            "handoff_requests",
            "telegram_users",
            "unanswered_questions",
            "web_sessions",
        }
    ),
    "0002": frozenset(
        {
            "handoff_assignments",
            "handoff_messages",
            "staff_audit",
            "staff_login_failures",
            "staff_sessions",
            "staff_users",
        }
    ),
}
# Any constant works; it only has to be the same in every process that migrates this database.
ADVISORY_LOCK_KEY = 0x7A1E_DB01
# Alembic's ``op`` and ``context`` are module globals: one migration per process at a time.
_IN_PROCESS = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """The configuration env.py reads; ``connection`` is the one migrations run on."""
    config = Config(stdout=sys.stdout)  # read at call time, so a redirected stdout is honoured
    config.set_main_option("script_location", str(Path(__file__).parent).replace("%", "%%"))
    config.attributes["connection"] = connection
    return config


@cache
def _scripts() -> ScriptDirectory:
    # Cached: reading the revision files on every start of every test would be wasted work.
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str | None:
    return _scripts().get_current_head()


def current_revision(connection: Connection) -> str | None:
    # Read directly: a MigrationContext would log two INFO lines at every start.
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade_to_head(engine: Engine) -> None:
    """Brings the database to the newest revision. Several processes start at once in
    production, so the upgrade runs under a database-wide lock and re-reads the revision once
    it holds it; a database already at head costs a read of alembic_version."""
    with engine.connect() as connection:
        current = current_revision(connection)
    if current == head_revision():
        return
    if current is not None and current not in {
        script.revision for script in _scripts().walk_revisions()
    }:
        raise RuntimeError(
            f"the app database is at revision {current}, newer than this code knows "
            f"({head_revision()}): run the newer code"
        )
    with _IN_PROCESS, _migration_lock(engine) as connection:
        _adopt_unversioned(connection)
        if current_revision(connection) != head_revision():
            command.upgrade(alembic_config(connection), "head")


def _adopt_unversioned(connection: Connection) -> None:
    """Stamps a database that create_all made before migrations existed (tables but no
    alembic_version) at the revision its tables match, so those tables are not created again."""
    if current_revision(connection) is not None:
        return
    present = set(inspect(connection).get_table_names())
    wanted: set[str] = set()
    adopted = None
    for revision, tables in REVISION_TABLES.items():
        wanted |= tables
        if wanted <= present:
            adopted = revision
    if adopted is not None:
        log.info("app database made before migrations: stamped at revision %s", adopted)
        command.stamp(alembic_config(connection), adopted)


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that no other migrating process can share."""
    if engine.dialect.name == "postgresql":
        # Transactional DDL: the whole upgrade commits at once and the lock goes with it.
        with engine.begin() as connection:
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK_KEY}
            )
            yield connection
    elif engine.dialect.name == "sqlite":
        # pysqlite never opens a transaction before DDL by itself; BEGIN IMMEDIATE takes the
        # file's write lock, so a second process waits (busy timeout) and then sees head.
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                connection.exec_driver_sql("ROLLBACK")
                raise
            connection.exec_driver_sql("COMMIT")
    else:
        with engine.begin() as connection:
            yield connection


def table_is_missing(name: str) -> bool:
    """For the first two revisions: a database that an older create_all left with only some of
    their tables gets the others, and the ones it has are kept."""
    from alembic import op

    return not inspect(op.get_bind()).has_table(name)
