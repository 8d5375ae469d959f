"""Staff console (issue 11): staff accounts and audit log, handoff assignments and messages.

Tables a database already has (made by create_all before migrations) are left as they are.
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.migrations import table_is_missing

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if table_is_missing("handoff_assignments"):
        op.create_table(
            "handoff_assignments",
            sa.Column("request_id", sa.Integer(), nullable=False),
            sa.Column("staff", sa.String(length=64), nullable=False),
            sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_by", sa.String(length=64), nullable=True),
            sa.PrimaryKeyConstraint("request_id"),
        )
        op.create_index(
            op.f("ix_handoff_assignments_staff"), "handoff_assignments", ["staff"], unique=False
        )
    if table_is_missing("handoff_messages"):
        op.create_table(
            "handoff_messages",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("request_id", sa.Integer(), nullable=False),
            sa.Column("sender_id", sa.String(length=160), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("author", sa.String(length=64), nullable=True),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("language", sa.String(length=16), nullable=False),
            sa.Column("rendering", sa.Text(), nullable=True),
            sa.Column("rendering_language", sa.String(length=16), nullable=True),
            sa.Column("machine_translated", sa.Boolean(), nullable=False),
            sa.Column("notes", sa.Text(), nullable=True),
            sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_handoff_messages_delivered_at"),
            "handoff_messages",
            ["delivered_at"],
            unique=False,
        )
        op.create_index(
            op.f("ix_handoff_messages_request_id"), "handoff_messages", ["request_id"], unique=False
        )
        op.create_index(
            op.f("ix_handoff_messages_sender_id"), "handoff_messages", ["sender_id"], unique=False
        )
    if table_is_missing("staff_audit"):
        op.create_table(
            "staff_audit",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("actor", sa.String(length=64), nullable=False),
            sa.Column("action", sa.String(length=40), nullable=False),
            sa.Column("target", sa.String(length=200), nullable=True),
            sa.Column("detail", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(op.f("ix_staff_audit_actor"), "staff_audit", ["actor"], unique=False)
        op.create_index(op.f("ix_staff_audit_at"), "staff_audit", ["at"], unique=False)
    if table_is_missing("staff_login_failures"):
        op.create_table(
            "staff_login_failures",
            sa.Column("key", sa.String(length=200), nullable=False),
            sa.Column("failures", sa.Integer(), nullable=False),
            sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("key"),
        )
    if table_is_missing("staff_sessions"):
        op.create_table(
            "staff_sessions",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_staff_sessions_expires_at"), "staff_sessions", ["expires_at"], unique=False
        )
        op.create_index(
            op.f("ix_staff_sessions_user_id"), "staff_sessions", ["user_id"], unique=False
        )
    if table_is_missing("staff_users"):
        op.create_table(
            "staff_users",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("username", sa.String(length=64), nullable=False),
            sa.Column("display_name", sa.String(length=120), nullable=False),
            sa.Column("role", sa.String(length=16), nullable=False),
            sa.Column("password_hash", sa.String(length=255), nullable=False),
            sa.Column("active", sa.Boolean(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("username"),
        )


def downgrade() -> None:
    op.drop_table("staff_users")
    op.drop_table("staff_sessions")
    op.drop_table("staff_login_failures")
    op.drop_table("staff_audit")
    op.drop_table("handoff_messages")
    op.drop_table("handoff_assignments")
