"""The console's reports: ratings (least helpful first), bookings of a day with cancel, and the
knowledge checker's report."""

from datetime import UTC, date, datetime

import pytest

from bot.storage.bookings import BookingBook
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.feedback import Rating, RatingLog
from tests.unit.web.conftest import make_client

PASSWORD = "correct horse battery"
DAY = date(2026, 12, 7)


@pytest.fixture
def engine(settings):
    engine = create_database_engine(settings.storage.database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def client(settings, service, engine):
    with make_client(settings, service) as client:
        client.app.state.staff_auth.accounts.add_user("li.wei", PASSWORD)
        response = client.post("/staff/login", json={"username": "li.wei", "password": PASSWORD})
        assert response.status_code == 204
        yield client


def csrf(client) -> dict[str, str]:
    return {"X-CSRF-Token": client.get("/staff/api/me").json()["csrf_token"]}


def test_ratings_least_helpful_first(client, engine) -> None:
    log = RatingLog(engine)
    now = datetime.now(UTC)
    for entry, helpful in [("a", True), ("a", True), ("b", False), ("b", True), ("c", False)]:
        log.record(Rating(entry, helpful, "web:x", "web", "en", now))
    rows = client.get("/staff/api/ratings").json()
    assert [(r["entry_id"], r["helpful"], r["not_helpful"]) for r in rows] == [
        ("c", 0, 1),
        ("b", 1, 1),
        ("a", 2, 0),
    ]


def test_bookings_of_a_day_and_cancelling_one(client, engine) -> None:
    book = BookingBook(engine, capacity_per_slot=2)
    booking = book.book(
        sender_id="web:x", channel="web", language="fr", service="tax", day=DAY, slot="09:00"
    )
    [listed] = client.get("/staff/api/bookings", params={"day": DAY.isoformat()}).json()
    assert (listed["code"], listed["status"], listed["slot"]) == (booking.code, "booked", "09:00")
    url = f"/staff/api/bookings/{booking.code}/cancel"
    assert client.post(url).status_code == 403  # no CSRF token
    assert client.post(url, headers=csrf(client)).json()["status"] == "cancelled"
    assert client.post(url, headers=csrf(client)).status_code == 404
    assert client.get("/staff/api/bookings", params={"day": "not-a-day"}).status_code == 422
    audit = client.app.state.staff_auth.audit.recent(1)[0]
    assert (audit.action, audit.target) == ("cancel_booking", booking.code)


def test_the_checker_report(client) -> None:
    report = client.get("/staff/api/knowledge/check").json()
    assert report["entries"] > 100
    assert report["problems"] == []
    assert set(report) == {
        "entries",
        "problems",
        "expired",
        "due_for_review",
        "home_page_sources",
    }
