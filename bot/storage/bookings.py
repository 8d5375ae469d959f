"""Appointments at the hall's counters, booked by the assistant and read by staff."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Integer,
    String,
    Table,
    UniqueConstraint,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from bot.storage.database import metadata

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read aloud or copied from a screen cannot be misread.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
# The sender of an upcoming booking whose conversation was erased: only staff reach it.
ERASED_SENDER = "erased"

bookings = Table(
    "bookings",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("sender_id", String(160), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("language", String(16), nullable=False),
    Column("service", String(64), nullable=False),
    Column("day", Date, nullable=False, index=True),
    Column("slot", String(5), nullable=False),
    Column("status", String(16), nullable=False, default="booked"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    # Which of the slot's places the booking holds (0 .. capacity-1), NULL once cancelled. The
    # unique constraint is what keeps a slot within capacity when two gateways book at once,
    # on SQLite and PostgreSQL alike (NULLs never collide, so cancelling frees the place).
    Column("seat", Integer),
    UniqueConstraint("day", "slot", "seat", name="one_booking_per_place"),
)


class SlotFullError(Exception):
    """Every counter is taken in that slot."""


class TooManyBookingsError(Exception):
    """The conversation already holds as many upcoming appointments as it may."""


@dataclass(frozen=True)
class Booking:
    code: str
    sender_id: str
    channel: str
    language: str
    service: str
    day: date
    slot: str
    status: str
    created_at: datetime
    cancelled_at: datetime | None = None
    seat: int | None = None


def normalise_code(text: str) -> str:
    """A code as users type it (lower case, spaces, dashes) in its stored form."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def new_code() -> str:
    """A random code with at least one digit, so it stands out from words in a sentence."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if any(ch.isdigit() for ch in code):
            return code


class BookingBook:
    """Stores bookings and keeps each slot within its capacity.

    Args:
        engine: The app database.
        capacity_per_slot: How many visitors the counters take in one slot.
        max_active_per_sender: Upcoming appointments one conversation may hold (None: any).
    """

    def __init__(
        self, engine: Engine, capacity_per_slot: int, max_active_per_sender: int | None = None
    ) -> None:
        self._engine = engine
        self.capacity_per_slot = capacity_per_slot
        self.max_active_per_sender = max_active_per_sender

    def taken(self, day: date) -> dict[str, int]:
        """Booked places per slot on ``day``."""
        query = (
            select(bookings.c.slot, func.count())
            .where(bookings.c.day == day, bookings.c.status == "booked")
            .group_by(bookings.c.slot)
        )
        with self._engine.connect() as connection:
            return {slot: count for slot, count in connection.execute(query).all()}

    def book(
        self,
        *,
        sender_id: str,
        channel: str,
        language: str,
        service: str,
        day: date,
        slot: str,
        now: datetime | None = None,
    ) -> Booking:
        """Books a place and returns it with its confirmation code.

        Raises:
            SlotFullError: The slot already holds ``capacity_per_slot`` bookings.
            TooManyBookingsError: The sender holds ``max_active_per_sender`` upcoming ones.
        """
        created = now or datetime.now(UTC)
        # A conversation's turns run one at a time (the gateway's turn lock), so counting
        # before inserting cannot let one conversation exceed its limit.
        limit = self.max_active_per_sender
        if limit is not None and len(self.upcoming_for(sender_id, created.date())) >= limit:
            raise TooManyBookingsError(f"{sender_id} holds {limit} upcoming appointments")
        for seat in range(self.capacity_per_slot):
            for _ in range(10):
                values = dict(
                    code=new_code(),
                    sender_id=sender_id,
                    channel=channel,
                    language=language,
                    service=service,
                    day=day,
                    slot=slot,
                    status="booked",
                    created_at=created,
                    seat=seat,
                )
                try:
                    with self._engine.begin() as connection:
                        connection.execute(insert(bookings).values(**values))
                except IntegrityError:
                    if self._seat_taken(day, slot, seat):
                        break  # someone holds this place: try the next one
                    continue  # the same code twice: draw another
                return Booking(**values)  # type: ignore[arg-type]
        raise SlotFullError(f"{day} {slot} is full")

    def _seat_taken(self, day: date, slot: str, seat: int) -> bool:
        query = select(func.count()).where(
            bookings.c.day == day, bookings.c.slot == slot, bookings.c.seat == seat
        )
        with self._engine.connect() as connection:
            return bool(connection.execute(query).scalar_one())

    def get(self, code: str) -> Booking | None:
        with self._engine.connect() as connection:
            row = (
                connection.execute(select(bookings).where(bookings.c.code == normalise_code(code)))
                .mappings()
                .first()
            )
        return Booking(**row) if row else None

    def get_for(self, code: str, sender_id: str) -> Booking | None:
        """The booking with ``code`` if ``sender_id`` made it (nobody else may see it)."""
        booking = self.get(code)
        return booking if booking is not None and booking.sender_id == sender_id else None

    def cancel(
        self, code: str, now: datetime | None = None, sender_id: str | None = None
    ) -> Booking | None:
        """Cancels a booked appointment; None if there is no such booked appointment.

        Args:
            code: The confirmation code.
            now: The time of the cancellation.
            sender_id: Only a booking this conversation made (None: staff, any booking).
        """
        condition = (bookings.c.code == normalise_code(code)) & (bookings.c.status == "booked")
        if sender_id is not None:
            condition = condition & (bookings.c.sender_id == sender_id)
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(bookings)
                .where(condition)
                .values(status="cancelled", cancelled_at=now or datetime.now(UTC), seat=None)
            ).rowcount
        return self.get(code) if changed == 1 else None

    def on_day(self, day: date) -> list[Booking]:
        """Every appointment of ``day`` (booked and cancelled), by slot: the staff view."""
        query = (
            select(bookings).where(bookings.c.day == day).order_by(bookings.c.slot, bookings.c.code)
        )
        with self._engine.connect() as connection:
            return [Booking(**row) for row in connection.execute(query).mappings().all()]

    def upcoming_for(self, sender_id: str, today: date) -> list[Booking]:
        """The sender's booked appointments from ``today`` on, soonest first."""
        query = (
            select(bookings)
            .where(
                bookings.c.sender_id == sender_id,
                bookings.c.status == "booked",
                bookings.c.day >= today,
            )
            .order_by(bookings.c.day, bookings.c.slot)
        )
        with self._engine.connect() as connection:
            return [Booking(**row) for row in connection.execute(query).mappings().all()]
