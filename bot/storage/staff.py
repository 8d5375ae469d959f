"""Staff accounts, their console sessions, login failures and the audit log."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, Integer, String, Table, Text

from bot.storage.database import metadata

staff_users = Table(
    "staff_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    # "staff" answers visitors and edits knowledge; "admin" also reads the audit log.
    Column("role", String(16), nullable=False),
    # An argon2id hash in PHC format (parameters and salt included).
    Column("password_hash", String(255), nullable=False),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# A row per signed-in console; deleting it (logout, disable, new password) kills the cookie
# even though its signature is still valid.
staff_sessions = Table(
    "staff_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

# Consecutive wrong passwords per key ("user:<name>" and "ip:<address>"), in the database so
# every gateway process counts together.
staff_login_failures = Table(
    "staff_login_failures",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("last_failed_at", DateTime(timezone=True), nullable=False),
)

staff_audit = Table(
    "staff_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    # The username (kept as text so the record survives the account).
    Column("actor", String(64), nullable=False, index=True),
    Column("action", String(40), nullable=False),
    Column("target", String(200)),
    Column("detail", Text),
)
