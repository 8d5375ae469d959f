"""Alembic's environment: always run on a connection handed over in the configuration (see
``alembic_config``), which already holds the migration lock."""

from alembic import context

from bot.storage.database import load_tables, metadata

load_tables()


def _declared(name: str | None, type_: str, _: object) -> bool:
    # The app database may share PostgreSQL with Rasa's tracker (table events): autogenerate
    # must never propose dropping a table the code does not declare.
    return type_ != "table" or name in metadata.tables


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through bot.storage.migrations or `python -m bot db`")
context.configure(
    connection=connection,
    target_metadata=metadata,
    # SQLite cannot ALTER most things: batch mode copies the table instead.
    render_as_batch=True,
    compare_type=True,
    include_name=_declared,
)
with context.begin_transaction():
    context.run_migrations()
