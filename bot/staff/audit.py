"""The audit log of staff actions: who signed in, answered, took, closed or edited what, when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from bot.storage.staff import staff_audit

# Long details (a reply's text) are cut: the log says what happened, the transcript holds it.
MAX_DETAIL_CHARS = 500


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: str | None


class StaffAudit:
    """Appends to and reads the audit log (never updates or deletes a record)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(
        self,
        actor: str,
        action: str,
        target: str | None = None,
        detail: str | None = None,
        now: datetime | None = None,
    ) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(staff_audit).values(
                    at=now or datetime.now(UTC),
                    actor=actor[:64],
                    action=action[:40],
                    target=target[:200] if target else None,
                    detail=detail[:MAX_DETAIL_CHARS] if detail else None,
                )
            )

    def recent(self, limit: int = 200, actor: str | None = None) -> list[AuditEntry]:
        query = select(staff_audit).order_by(staff_audit.c.id.desc()).limit(limit)
        if actor is not None:
            query = query.where(staff_audit.c.actor == actor)
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [AuditEntry(**row) for row in rows]
