from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from bot.storage.bookings import BookingBook
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.handoffs import HandoffQueue


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("TALENTDESK_STORAGE__DATABASE_URL", url)
    return url


def test_codes_are_unique_and_cancelled_places_free_the_slot(database: str) -> None:
    engine = create_database_engine(database)
    ensure_schema(engine)
    book = BookingBook(engine, capacity_per_slot=2)
    args = dict(channel="web", language="en", service="tax", day=date(2026, 12, 3), slot="09:00")
    first = book.book(sender_id="a", **args)
    second = book.book(sender_id="b", **args)
    assert first.code != second.code
    assert any(ch.isdigit() for ch in first.code + second.code)
    assert book.cancel(first.code) is not None and book.cancel(first.code) is None
    assert book.taken(date(2026, 12, 3)) == {"09:00": 1}
    assert [b.code for b in book.upcoming_for("b", date(2026, 12, 1))] == [second.code]
    assert book.upcoming_for("b", date(2026, 12, 4)) == []


def test_staff_can_list_handoff_requests_with_message_and_transcript(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_database_engine(database)
    ensure_schema(engine)
    queue = HandoffQueue(engine)
    assert main(["staff", "handoffs"]) == 0
    assert "No requests for a person." in capsys.readouterr().out
    request_id = queue.open_request(
        sender_id="telegram:42",
        channel="telegram",
        language="zh",
        transcript=[
            {"role": "user", "text": "转人工"},
            {"role": "bot", "text": "大厅现在不在办公时间"},
        ],
        during_opening_hours=False,
    )
    assert queue.leave_message(request_id, "请回电话") and not queue.leave_message(999, "x")
    assert main(["staff", "handoffs", "--status", "open"]) == 0
    out = capsys.readouterr().out
    assert f"#{request_id}" in out and "[zh/telegram] open, after hours: telegram:42" in out
    assert "message: 请回电话" in out and "user: 转人工" in out
