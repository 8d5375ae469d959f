"""The live handoff inbox: requests for a person, taking one, the messages both ways.

Taking is one ``UPDATE ... WHERE status = 'open'``: of two staff members who press "take"
together, exactly one changes the row, on SQLite and PostgreSQL alike. Staff replies are
stored in the user's language (machine-translated where a package is installed, otherwise
with the localized note) and wait in ``handoff_messages`` until a channel delivered them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, select, update

from bot.conversation.handoff import BACK_TO_ASSISTANT
from bot.conversation.messages import Button, Reply
from bot.language.layer import LanguageLayer
from bot.language.strings import StringCatalogue
from bot.notify import REQUEST_STATUS, STAFF_REPLY, USER_MESSAGE, InProcessNotifier, Notifier
from bot.staff.audit import StaffAudit
from bot.storage.handoff_messages import handoff_assignments, handoff_messages
from bot.storage.handoffs import HandoffQueue, HandoffRequest, handoff_requests

STAFF_LANGUAGES = ("zh", "en")
MAX_REPLY_CHARS = 2000


class InboxError(Exception):
    """A staff action on a request that cannot be done (code: the API's error code)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class HandoffMessage:
    id: int
    request_id: int
    sender_id: str
    channel: str
    at: datetime
    role: str
    author: str | None
    text: str
    language: str
    rendering: str | None
    rendering_language: str | None
    machine_translated: bool
    notes: list[str]
    delivered: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "role": self.role,
            "author": self.author,
            "text": self.text,
            "language": self.language,
            "rendering": self.rendering,
            "rendering_language": self.rendering_language,
            "machine_translated": self.machine_translated,
            "notes": self.notes,
            "delivered": self.delivered,
        }

    def as_reply(self, strings: StringCatalogue) -> Reply:
        """What the user sees: staff's words in the user's language, and the way back."""
        language = self.rendering_language or self.language
        return Reply(
            text=self.rendering or self.text,
            language=language,
            kind="staff",
            buttons=(Button(strings.get("back_to_assistant", language), BACK_TO_ASSISTANT),),
            machine_translated=self.machine_translated,
            notes=tuple(self.notes),
        )


@dataclass(frozen=True)
class InboxItem:
    request: HandoffRequest
    staff: str | None
    taken_at: datetime | None
    closed_at: datetime | None


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite gives naive datetimes back; everything stored here is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _message(row: Any) -> HandoffMessage:
    return HandoffMessage(
        id=row.id,
        request_id=row.request_id,
        sender_id=row.sender_id,
        channel=row.channel,
        at=_aware(row.at) or datetime.now(UTC),
        role=row.role,
        author=row.author,
        text=row.text,
        language=row.language,
        rendering=row.rendering,
        rendering_language=row.rendering_language,
        machine_translated=bool(row.machine_translated),
        notes=json.loads(row.notes) if row.notes else [],
        delivered=row.delivered_at is not None,
    )


class HandoffInbox:
    """Staff's side of a handoff, and the :class:`~bot.conversation.handoff.HandoffDesk` the
    conversation service routes held conversations to.

    Args:
        engine: The app database.
        language: Translates staff replies into the user's language.
        strings: Interface strings (the "back to the assistant" button).
        audit: Records who took, answered and closed what.
        notifier: Announces what was written (ids only), so deliverers and live views read it
            now rather than at their next safety poll.
    """

    def __init__(
        self,
        engine: Engine,
        language: LanguageLayer,
        strings: StringCatalogue,
        audit: StaffAudit,
        notifier: Notifier | None = None,
    ) -> None:
        self._engine = engine
        self._notifier = notifier or InProcessNotifier()
        self._language = language
        self._strings = strings
        self._audit = audit
        self._queue = HandoffQueue(engine)

    @property
    def strings(self) -> StringCatalogue:
        return self._strings

    @property
    def notifier(self) -> Notifier:
        return self._notifier

    def items(self, statuses: tuple[str, ...] = ("open", "taken")) -> list[InboxItem]:
        """Requests in these states, oldest first (the longest wait on top)."""
        query = (
            select(handoff_requests, handoff_assignments)
            .outerjoin(
                handoff_assignments, handoff_assignments.c.request_id == handoff_requests.c.id
            )
            .where(handoff_requests.c.status.in_(statuses))
            .order_by(handoff_requests.c.created_at, handoff_requests.c.id)
            .limit(200)
        )
        with self._engine.connect() as connection:
            rows = connection.execute(query).mappings().all()
        return [self._item(row) for row in rows]

    def get(self, request_id: int) -> InboxItem | None:
        query = (
            select(handoff_requests, handoff_assignments)
            .outerjoin(
                handoff_assignments, handoff_assignments.c.request_id == handoff_requests.c.id
            )
            .where(handoff_requests.c.id == request_id)
        )
        with self._engine.connect() as connection:
            row = connection.execute(query).mappings().first()
        return self._item(row) if row is not None else None

    @staticmethod
    def _item(row: Any) -> InboxItem:
        request = HandoffRequest(
            id=row["id"],
            created_at=_aware(row["created_at"]) or datetime.now(UTC),
            sender_id=row["sender_id"],
            channel=row["channel"],
            language=row["language"],
            transcript=json.loads(row["transcript"]),
            status=row["status"],
            during_opening_hours=bool(row["during_opening_hours"]),
            message=row["message"],
        )
        return InboxItem(request, row["staff"], _aware(row["taken_at"]), _aware(row["closed_at"]))

    def take(self, request_id: int, staff: str, now: datetime | None = None) -> bool:
        """Gives the request to ``staff``; False when someone else took it first."""
        now = now or datetime.now(UTC)
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(handoff_requests)
                .where(handoff_requests.c.id == request_id, handoff_requests.c.status == "open")
                .values(status="taken")
            ).rowcount
            if changed != 1:
                return False
            connection.execute(
                insert(handoff_assignments).values(request_id=request_id, staff=staff, taken_at=now)
            )
        self._audit.record(staff, "take", target=f"request {request_id}", now=now)
        self._notifier.publish(REQUEST_STATUS, request_id=request_id)
        return True

    def _held_by(self, request_id: int, staff: str) -> InboxItem:
        item = self.get(request_id)
        if item is None:
            raise InboxError("no_such_request", f"there is no request {request_id}")
        if item.request.status != "taken" or item.staff != staff:
            raise InboxError("not_yours", "take the request first (or it was handed back)")
        return item

    def messages(self, request_id: int, after: int = 0) -> list[HandoffMessage]:
        query = (
            select(handoff_messages)
            .where(handoff_messages.c.request_id == request_id, handoff_messages.c.id > after)
            .order_by(handoff_messages.c.id)
            .limit(500)
        )
        with self._engine.connect() as connection:
            return [_message(row) for row in connection.execute(query)]

    async def reply(self, request_id: int, staff: str, text: str, language: str) -> HandoffMessage:
        """Stores staff's reply in the user's language, ready for delivery.

        Raises:
            InboxError: the request is not held by ``staff``, or the text is unusable.
        """
        text = text.strip()
        if not text or len(text) > MAX_REPLY_CHARS:
            raise InboxError("bad_text", f"a reply has 1-{MAX_REPLY_CHARS} characters")
        if language not in STAFF_LANGUAGES:
            raise InboxError("bad_language", "staff write in zh or en")
        item = self._held_by(request_id, staff)
        return await self._send(item, staff, text, language, detail=text)

    async def send_entry(
        self, request_id: int, staff: str, entry_id: str, answers: dict[str, str]
    ) -> HandoffMessage:
        """A quick reply: a knowledge entry's answer, in the user's language when the entry
        has it (no machine translation), else its English answer translated.

        Raises:
            InboxError: the request is not held by ``staff``.
        """
        item = self._held_by(request_id, staff)
        language = item.request.language if item.request.language in answers else "en"
        detail = f"knowledge entry {entry_id}"
        return await self._send(item, staff, answers[language], language, detail=detail)

    async def _send(
        self, item: InboxItem, staff: str, text: str, language: str, detail: str
    ) -> HandoffMessage:
        target = item.request.language
        rendering: Reply | None = None
        if target != language:
            [rendering] = await self._language.localize_all([Reply(text, language)], target)
        message_id = self._insert(
            item.request,
            role="staff",
            author=staff,
            text=text,
            language=language,
            rendering=rendering.text if rendering else None,
            rendering_language=rendering.language if rendering else None,
            machine_translated=bool(rendering and rendering.machine_translated),
            notes=list(rendering.notes) if rendering else [],
        )
        self._audit.record(staff, "reply", target=f"request {item.request.id}", detail=detail)
        request = item.request
        self._notifier.publish(
            STAFF_REPLY,
            message_id=message_id,
            request_id=request.id,
            sender_id=request.sender_id,
            channel=request.channel,
        )
        [stored] = [m for m in self.messages(item.request.id, message_id - 1) if m.id == message_id]
        return stored

    def close(self, request_id: int, by: str, now: datetime | None = None) -> bool:
        """Hands the conversation back to the assistant; False if it was not held."""
        now = now or datetime.now(UTC)
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(handoff_requests)
                .where(handoff_requests.c.id == request_id, handoff_requests.c.status == "taken")
                .values(status="closed")
            ).rowcount
            if changed != 1:
                return False
            connection.execute(
                update(handoff_assignments)
                .where(handoff_assignments.c.request_id == request_id)
                .values(closed_at=now, closed_by=by)
            )
        self._audit.record(by, "close", target=f"request {request_id}", now=now)
        self._notifier.publish(REQUEST_STATUS, request_id=request_id)
        return True

    # The conversation service's side (HandoffDesk).

    def held_request(self, sender_id: str) -> int | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(handoff_requests.c.id)
                .where(
                    handoff_requests.c.sender_id == sender_id,
                    handoff_requests.c.status == "taken",
                )
                .order_by(handoff_requests.c.id.desc())
            ).first()
        return int(row.id) if row is not None else None

    def record_user_message(
        self,
        request_id: int,
        sender_id: str,
        channel: str,
        text: str,
        language: str,
        rendering: str | None,
    ) -> None:
        item = self.get(request_id)
        if item is None:
            return
        message_id = self._insert(
            item.request,
            role="user",
            author=None,
            text=text,
            language=language,
            rendering=rendering,
            rendering_language="en" if rendering else None,
            machine_translated=rendering is not None,
            notes=[],
            delivered=True,
        )
        self._notifier.publish(USER_MESSAGE, message_id=message_id, request_id=request_id)

    def hand_back(self, request_id: int, by: str) -> bool:
        return self.close(request_id, by)

    def _insert(self, request: HandoffRequest, *, delivered: bool = False, **values: Any) -> int:
        now = datetime.now(UTC)
        notes = values.pop("notes")
        with self._engine.begin() as connection:
            result = connection.execute(
                insert(handoff_messages).values(
                    request_id=request.id,
                    sender_id=request.sender_id,
                    channel=request.channel,
                    at=now,
                    notes=json.dumps(notes, ensure_ascii=False) if notes else None,
                    delivered_at=now if delivered else None,
                    **values,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    # Delivery (the outbox).

    def undelivered(
        self, sender_id: str | None = None, channel: str | None = None, limit: int = 100
    ) -> list[HandoffMessage]:
        query = select(handoff_messages).where(
            handoff_messages.c.role == "staff", handoff_messages.c.delivered_at.is_(None)
        )
        if sender_id is not None:
            query = query.where(handoff_messages.c.sender_id == sender_id)
        if channel is not None:
            query = query.where(handoff_messages.c.channel == channel)
        with self._engine.connect() as connection:
            rows = connection.execute(query.order_by(handoff_messages.c.id).limit(limit))
            return [_message(row) for row in rows]

    def mark_delivered(self, message_ids: list[int]) -> int:
        """Marks messages delivered; returns how many were still waiting (a message two
        deliverers raced for counts once)."""
        if not message_ids:
            return 0
        with self._engine.begin() as connection:
            return connection.execute(
                update(handoff_messages)
                .where(
                    handoff_messages.c.id.in_(message_ids),
                    handoff_messages.c.delivered_at.is_(None),
                )
                .values(delivered_at=datetime.now(UTC))
            ).rowcount
