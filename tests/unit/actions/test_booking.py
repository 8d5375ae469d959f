from datetime import date
from pathlib import Path

import pytest

from actions.booking.form import (
    ActionAskBookingService,
    ActionAskBookingTime,
    BookingRules,
    ValidateBookingForm,
)
from actions.booking.manage import (
    ActionCancelBooking,
    ActionConfirmBooking,
    ActionShowBooking,
    code_in,
)
from actions.hall import HallCalendar
from bot.storage.bookings import CODE_ALPHABET, BookingBook, normalise_code
from bot.storage.database import create_database_engine, ensure_schema
from tests.unit.actions.helpers import (
    WEDNESDAY_MORNING,
    fixed_clock,
    run,
    slot_events,
    tracker_for,
    validate,
)

THURSDAY = "2026-12-03"


@pytest.fixture
def book(tmp_path: Path) -> BookingBook:
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    return BookingBook(engine, capacity_per_slot=1)


@pytest.fixture
def rules(book: BookingBook) -> BookingRules:
    return BookingRules(HallCalendar.load(), book, fixed_clock(WEDNESDAY_MORNING), 60)


def place(book: BookingBook, day: str = THURSDAY, slot: str = "09:00", sender: str = "other"):
    return book.book(
        sender_id=sender,
        channel="web",
        language="en",
        service="tax",
        day=date.fromisoformat(day),
        slot=slot,
    )


async def test_services_are_offered_as_buttons_in_the_language() -> None:
    _, (reply,) = await run(ActionAskBookingService(), tracker_for("book", "zh"))
    assert reply["language"] == "zh" and len(reply["buttons"]) == 6
    assert reply["buttons"][1] == {
        "title": "外国人工作许可",
        "payload": '/inform{"booking_service": "work_permit"}',
        "string": "service_work_permit",
    }


async def test_a_service_typed_or_pressed_is_accepted_an_unknown_one_is_not(rules) -> None:
    validator = ValidateBookingForm(rules)
    assert (await validate(validator, "booking_service", "tax please", tracker_for("x")))[
        0
    ] == "tax"
    pressed = '/inform{"booking_service": "social_insurance"}'
    value, _ = await validate(validator, "booking_service", pressed, tracker_for(pressed))
    assert value == "social_insurance"
    value, (reply,) = await validate(validator, "booking_service", "haircut", tracker_for("x"))
    assert value is None and "doesn't book that" in reply["text"] and reply["buttons"]
    assert reply["data"]["string"] == "booking_unknown_service"


@pytest.mark.parametrize(
    ("text", "language", "reason", "words"),
    [
        ("2026-11-30", "en", "past", "already passed"),
        ("Saturday", "en", "weekend", "closed at weekends"),
        ("2027-01-01", "en", "holiday", "public holiday"),
        ("2027-06-30", "en", "too_far", "60 days ahead"),
        ("下周六", "zh", "weekend", "周末不办公"),
        ("2027年1月1日", "zh", "holiday", "法定节假日"),
    ],
)
async def test_impossible_dates_are_refused_with_the_reason(rules, text, language, reason, words):
    validator = ValidateBookingForm(rules)
    value, (reply,) = await validate(validator, "booking_date", text, tracker_for(text, language))
    assert value is None and reply["data"]["reason"] == reason
    assert words in reply["text"] and reply["language"] == language


async def test_a_closed_day_suggests_the_next_open_day(rules) -> None:
    value, (reply,) = await validate(
        ValidateBookingForm(rules), "booking_date", "2026-12-05", tracker_for("x")
    )
    assert value is None and "Monday 7 December 2026" in reply["text"]
    assert reply["buttons"] == [
        {
            "title": "Monday 7 December 2026",
            "payload": '/inform{"booking_date": "2026-12-07"}',
            "string": "button_date",
            "string_params": {"date": {"date": "2026-12-07"}},
        }
    ]


async def test_good_and_unreadable_dates(rules) -> None:
    validator = ValidateBookingForm(rules)
    assert (await validate(validator, "booking_date", "tomorrow", tracker_for("x")))[0] == THURSDAY
    value, (reply,) = await validate(validator, "booking_date", "soonish", tracker_for("x"))
    assert value is None and "couldn't read a date" in reply["text"]
    assert reply["data"]["string"] == "booking_no_date"


async def test_a_fully_booked_day_is_refused(rules, book) -> None:
    for slot in HallCalendar.load().slots(date(2026, 12, 3)):
        place(book, slot=slot)
    value, (reply,) = await validate(
        ValidateBookingForm(rules), "booking_date", THURSDAY, tracker_for("x")
    )
    assert value is None and reply["data"]["reason"] == "day_full"


async def test_free_slots_are_offered_without_full_or_past_ones(rules, book) -> None:
    place(book, slot="09:30")
    today = tracker_for("x", slots={"booking_date": "2026-12-02"})
    _, (reply,) = await run(ActionAskBookingTime(rules), today)
    assert reply["data"]["free_slots"][0] == "10:30"  # it is 10:15
    tomorrow = tracker_for("x", slots={"booking_date": THURSDAY})
    _, (reply,) = await run(ActionAskBookingTime(rules), tomorrow)
    slots = [b["title"] for b in reply["buttons"]]
    assert slots[:3] == ["09:00", "10:00", "10:30"] and "13:30" in slots


@pytest.mark.parametrize(
    ("text", "reason"),
    [("12:30", "not_a_slot"), ("7pm", "not_a_slot"), ("no idea", "no_time"), ("9:00", "slot_full")],
)
async def test_bad_times_are_refused(rules, book, text, reason) -> None:
    place(book, slot="09:00")
    tracker = tracker_for(text, slots={"booking_date": THURSDAY})
    value, (reply,) = await validate(ValidateBookingForm(rules), "booking_time", text, tracker)
    assert value is None and reply["data"]["reason"] == reason
    if reason == "not_a_slot":  # the hours come from knowledge/facts.yml, like the entries'
        assert "the hall is open 9:00-12:00 and 13:30-17:30," in reply["text"]


async def test_a_past_slot_today_is_refused(rules) -> None:
    tracker = tracker_for("9:00", slots={"booking_date": "2026-12-02"})
    value, (reply,) = await validate(ValidateBookingForm(rules), "booking_time", "9:00", tracker)
    assert value is None and reply["data"]["reason"] == "slot_past"


async def test_confirming_stores_the_booking_with_a_readable_code(rules, book) -> None:
    slots = {"booking_service": "work_permit", "booking_date": THURSDAY, "booking_time": "14:00"}
    events, (reply,) = await run(ActionConfirmBooking(rules), tracker_for("14:00", slots=slots))
    assert reply["kind"] == "booking"
    code = reply["data"]["code"]
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET) and code in reply["text"]
    assert "Thursday 3 December 2026 at 14:00" in reply["text"]
    stored = book.get(code.lower())
    assert stored is not None and (stored.service, stored.slot, stored.sender_id) == (
        "work_permit",
        "14:00",
        "test-user",
    )
    assert slot_events(events) == dict.fromkeys(slots)


async def test_a_slot_taken_meanwhile_is_reported(rules, book) -> None:
    place(book, slot="14:00")
    slots = {"booking_service": "tax", "booking_date": THURSDAY, "booking_time": "14:00"}
    _, (reply,) = await run(ActionConfirmBooking(rules), tracker_for("x", slots=slots))
    assert reply["data"] == {
        "reason": "slot_full",
        "string": "booking_taken_meanwhile",
        "string_params": {"time": "14:00"},
    }
    assert "14:00" in reply["text"]


async def test_show_and_cancel_by_code(rules, book) -> None:
    booking = place(book, sender="test-user")
    text = f"show booking {booking.code.lower()}"
    _, (reply,) = await run(ActionShowBooking(rules), tracker_for(text, intent="show_appointment"))
    assert reply["data"]["code"] == booking.code and "(booked)" in reply["text"]
    text = f"取消 {booking.code}"
    _, (reply,) = await run(ActionCancelBooking(rules), tracker_for(text, "zh"))
    assert reply["data"]["status"] == "cancelled" and "已取消预约" in reply["text"]
    _, (again,) = await run(ActionCancelBooking(rules), tracker_for(text, "zh"))
    assert "之前已取消" in again["text"]


async def test_unknown_codes_and_no_code(rules, book) -> None:
    _, (reply,) = await run(ActionShowBooking(rules), tracker_for("show 3HKT9Q"))
    assert "can't find an appointment with the code 3HKT9Q" in reply["text"]
    _, (reply,) = await run(ActionCancelBooking(rules), tracker_for("cancel my appointment"))
    assert reply["buttons"] == [{"title": "Book an appointment", "payload": "/book_appointment"}]
    mine = place(book, sender="test-user")
    _, (reply,) = await run(ActionCancelBooking(rules), tracker_for("cancel my appointment"))
    assert reply["buttons"][0]["payload"] == (
        f'/cancel_appointment{{"confirmation_code": "{mine.code}"}}'
    )
    _, replies = await run(ActionShowBooking(rules), tracker_for("my bookings"))
    assert [r["data"]["code"] for r in replies[1:]] == [mine.code]


def test_codes_are_found_in_sentences_but_words_are_not() -> None:
    assert code_in(tracker_for("cancel 3hkt9q please")) == "3HKT9Q"
    assert code_in(tracker_for("取消预约3HKT9Q")) == "3HKT9Q"
    assert code_in(tracker_for("appear in person")) is None
    entity = [{"entity": "confirmation_code", "value": "k7xm4p"}]
    assert code_in(tracker_for("/cancel_appointment", entities=entity)) == "K7XM4P"
    assert normalise_code(" k7x-m4p ") == "K7XM4P"


def test_capacity_is_enforced_by_the_store(book) -> None:
    from bot.storage.bookings import SlotFullError

    place(book)
    with pytest.raises(SlotFullError):
        place(book)
    assert book.taken(date(2026, 12, 3)) == {"09:00": 1}


async def test_a_stale_time_button_before_a_day_is_ignored(rules) -> None:
    payload = '/inform{"booking_time": "09:30"}'
    value, replies = await validate(
        ValidateBookingForm(rules), "booking_time", payload, tracker_for(payload)
    )
    assert value is None and replies == []


async def test_another_conversations_code_is_neither_shown_nor_cancelled(rules, book) -> None:
    theirs = place(book, sender="someone-else")
    text = f"show booking {theirs.code}"
    _, (shown,) = await run(ActionShowBooking(rules), tracker_for(text, intent="show_appointment"))
    assert "can't find an appointment" in shown["text"]
    # Nothing of their booking, only the catalogue key and the code this user typed.
    not_found = {"string": "booking_unknown_code", "string_params": {"code": theirs.code}}
    assert shown["data"] == not_found
    _, (cancel,) = await run(ActionCancelBooking(rules), tracker_for(f"cancel {theirs.code}"))
    assert "can't find an appointment" in cancel["text"]
    assert book.get(theirs.code).status == "booked"
    # Staff (no conversation named) can cancel any booking.
    assert book.cancel(theirs.code).status == "cancelled"


async def test_a_conversation_holds_at_most_n_upcoming_bookings(tmp_path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path}/limit.db")
    ensure_schema(engine)
    book = BookingBook(engine, capacity_per_slot=5, max_active_per_sender=2)
    rules = BookingRules(HallCalendar.load(), book, fixed_clock(WEDNESDAY_MORNING), 60)
    slots = {"booking_service": "tax", "booking_date": THURSDAY}
    replies = []
    for slot in ("09:00", "10:00", "11:00"):
        tracker = tracker_for("x", slots={**slots, "booking_time": slot})
        replies.append((await run(ActionConfirmBooking(rules), tracker))[1][0])
    assert [r["kind"] for r in replies] == ["booking", "booking", "invalid_answer"]
    assert replies[2]["data"] == {
        "reason": "too_many_bookings",
        "string": "booking_too_many",
        "string_params": {"count": 2},
    }
    assert "2" in replies[2]["text"]
    # Cancelling one frees a place.
    book.cancel(replies[0]["data"]["code"], sender_id="test-user")
    tracker = tracker_for("x", slots={**slots, "booking_time": "11:00"})
    assert (await run(ActionConfirmBooking(rules), tracker))[1][0]["kind"] == "booking"
