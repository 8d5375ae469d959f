"""A slot never takes more bookings than its capacity, even when gateways book at the same
moment: against SQLite and this machine's real PostgreSQL."""

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import psycopg
import pytest

from bot.storage.bookings import BookingBook, SlotFullError
from bot.storage.database import create_database_engine, ensure_schema

DAY = date(2026, 12, 2)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'app.db'}"
        return
    name = f"talentdesk_booking_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://127.0.0.1:5432/test", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://127.0.0.1:5432/test", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _attempt(book: BookingBook, n: int) -> str:
    try:
        return book.book(
            sender_id=f"web:{n}", channel="web", language="en", service="tax", day=DAY, slot="09:00"
        ).code
    except SlotFullError:
        return "full"


def test_simultaneous_bookings_fill_a_slot_exactly_to_capacity(database_url: str) -> None:
    engine = create_database_engine(database_url)
    ensure_schema(engine)
    book = BookingBook(engine, capacity_per_slot=3)
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda n: _attempt(book, n), range(12)))
    codes = [o for o in outcomes if o != "full"]
    assert len(codes) == 3 and outcomes.count("full") == 9
    assert book.taken(DAY) == {"09:00": 3}

    # Cancelling frees exactly one place, which the next visitor gets.
    assert book.cancel(codes[0]) is not None
    assert _attempt(book, 99) != "full"
    assert _attempt(book, 100) == "full"
    engine.dispose()
