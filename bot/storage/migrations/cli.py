"""``python -m bot db ...``: the app database's migrations, for operators."""

from __future__ import annotations

import argparse

from bot.settings import Settings


def add_db_parser(commands: argparse._SubParsersAction) -> None:
    """Adds ``db upgrade``, ``db current`` and ``db history`` to the CLI."""
    db = commands.add_parser("db", help="app database migrations (Alembic)")
    actions = db.add_subparsers(dest="db_command", required=True)
    actions.add_parser(
        "upgrade", help="migrate to the newest revision (every service also does it at start)"
    )
    actions.add_parser("current", help="the revision the database is at")
    actions.add_parser("history", help="every revision, newest first")
    revision = actions.add_parser(
        "revision",
        help="for developers: write the next revision from what the code's tables add to a "
        "database at head (review it before committing)",
    )
    revision.add_argument("message", help="what the revision changes, e.g. 'add staff phone'")


def run_db(settings: Settings, args: argparse.Namespace) -> int:
    """Runs a ``db`` command against TALENTDESK_STORAGE__DATABASE_URL."""
    from alembic import command

    from bot.storage.database import create_database_engine, ensure_schema
    from bot.storage.migrations import alembic_config, current_revision, head_revision

    if args.db_command == "history":
        command.history(alembic_config())
        return 0
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    try:
        if args.db_command == "revision":
            ensure_schema(engine)
            with engine.begin() as connection:
                # Numbered like the others; the "r" keeps the file name an importable module.
                config = alembic_config(connection)
                config.set_main_option("file_template", "r%%(rev)s_%%(slug)s")
                command.revision(
                    config,
                    message=args.message,
                    autogenerate=True,
                    rev_id=f"{int(head_revision() or 0) + 1:04d}",
                )
            return 0
        if args.db_command == "upgrade":
            with engine.connect() as connection:
                before = current_revision(connection)
            ensure_schema(engine)
            print(
                f"upgraded from {before or 'an empty or unversioned database'} to {head_revision()}"
            )
            return 0
        with engine.connect() as connection:
            revision = current_revision(connection)
        if revision is None:
            print("no revision: an empty database, or one made before migrations (run db upgrade)")
            return 1
        print(f"{revision}{' (head)' if revision == head_revision() else ''}")
        return 0
    finally:
        engine.dispose()
