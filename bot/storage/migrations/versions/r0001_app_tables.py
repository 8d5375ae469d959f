"""The app tables as of the commit before the staff console (issue 11) merged.

Tables a database already has (made by create_all before migrations) are left as they are.
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.migrations import table_is_missing

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    if table_is_missing("answer_ratings"):
        op.create_table(
            "answer_ratings",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("entry_id", sa.String(length=120), nullable=False),
            sa.Column("helpful", sa.Boolean(), nullable=False),
            sa.Column("sender_id", sa.String(length=160), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("language", sa.String(length=16), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_answer_ratings_entry_id"), "answer_ratings", ["entry_id"], unique=False
        )
    if table_is_missing("answered_messages"):
        op.create_table(
            "answered_messages",
            sa.Column("sender_id", sa.String(length=160), nullable=False),
            sa.Column("message_id", sa.String(length=128), nullable=False),
            sa.Column("turn", sa.Text(), nullable=False),
            sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("sender_id", "message_id"),
        )
        op.create_index(
            op.f("ix_answered_messages_answered_at"),
            "answered_messages",
            ["answered_at"],
            unique=False,
        )
    if table_is_missing("bookings"):
        op.create_table(
            "bookings",
            sa.Column("code", sa.String(length=16), nullable=False),
            sa.Column("sender_id", sa.String(length=160), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("language", sa.String(length=16), nullable=False),
            sa.Column("service", sa.String(length=64), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            sa.Column("slot", sa.String(length=5), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("seat", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("code"),
            sa.UniqueConstraint("day", "slot", "seat", name="one_booking_per_place"),
        )
        op.create_index(op.f("ix_bookings_day"), "bookings", ["day"], unique=False)
        op.create_index(op.f("ix_bookings_sender_id"), "bookings", ["sender_id"], unique=False)
    if table_is_missing("continuation_tokens"):
        op.create_table(
            "continuation_tokens",
            sa.Column("token", sa.String(length=64), nullable=False),
            sa.Column("conversation_id", sa.String(length=160), nullable=False),
            sa.Column("language", sa.String(length=16), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("redeemed_by", sa.String(length=160), nullable=True),
            sa.PrimaryKeyConstraint("token"),
        )
        op.create_index(
            op.f("ix_continuation_tokens_expires_at"),
            "continuation_tokens",
            ["expires_at"],
            unique=False,
        )
    if table_is_missing("handoff_requests"):
        op.create_table(
            "handoff_requests",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("sender_id", sa.String(length=160), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("language", sa.String(length=16), nullable=False),
            sa.Column("transcript", sa.Text(), nullable=False),
            sa.Column("status", sa.String(length=16), nullable=False),
            sa.Column("during_opening_hours", sa.Integer(), nullable=False),
            sa.Column("message", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_handoff_requests_created_at"), "handoff_requests", ["created_at"], unique=False
        )
        op.create_index(
            op.f("ix_handoff_requests_sender_id"), "handoff_requests", ["sender_id"], unique=False
        )
        op.create_index(
            op.f("ix_handoff_requests_status"), "handoff_requests", ["status"], unique=False
        )
    if table_is_missing("telegram_users"):
        op.create_table(
            "telegram_users",
            sa.Column("user_id", sa.String(length=64), nullable=False),
            sa.Column("conversation_id", sa.String(length=160), nullable=True),
            sa.Column("language", sa.String(length=16), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("user_id"),
        )
    if table_is_missing("unanswered_questions"):
        op.create_table(
            "unanswered_questions",
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("language", sa.String(length=16), nullable=False),
            sa.Column("channel", sa.String(length=32), nullable=False),
            sa.Column("sender_id", sa.String(length=160), nullable=False),
            sa.Column("best_entry_id", sa.String(length=120), nullable=True),
            sa.Column("confidence", sa.Float(), nullable=True),
            sa.Column("reason", sa.String(length=32), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_unanswered_questions_asked_at"),
            "unanswered_questions",
            ["asked_at"],
            unique=False,
        )
    if table_is_missing("web_sessions"):
        op.create_table(
            "web_sessions",
            sa.Column("id", sa.String(length=64), nullable=False),
            sa.Column("channel", sa.String(length=16), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        op.create_index(
            op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("unanswered_questions")
    op.drop_table("telegram_users")
    op.drop_table("handoff_requests")
    op.drop_table("continuation_tokens")
    op.drop_table("bookings")
    op.drop_table("answered_messages")
    op.drop_table("answer_ratings")
