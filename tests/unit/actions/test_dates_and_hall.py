from datetime import date, datetime, timedelta

import pytest

from actions.booking.catalogue import service_of, time_of
from actions.dates import AmbiguousDate, parse_date
from actions.hall import CalendarError, HallCalendar
from tests.unit.actions.helpers import SATURDAY_NIGHT, SHANGHAI, WEDNESDAY_MORNING

TODAY = date(2026, 11, 21)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-03", date(2026, 12, 3)),
        ("on 2026/12/3 please", date(2026, 12, 3)),
        ("3 Dec", date(2026, 12, 3)),
        ("December 3rd", date(2026, 12, 3)),
        ("the 5th of january", date(2027, 1, 5)),
        ("Dec 3rd, 2027", date(2027, 12, 3)),
        ("13/3", date(2027, 3, 13)),
        ("3/13/2027", date(2027, 3, 13)),
        ("today", TODAY),
        ("tomorrow", date(2026, 11, 22)),
        ("the day after tomorrow", date(2026, 11, 23)),
        ("next Monday", date(2026, 11, 23)),
        ("friday", date(2026, 11, 27)),
        ("in 10 days", date(2026, 12, 1)),
        ("今天", TODAY),
        ("明天", date(2026, 11, 22)),
        ("后天", date(2026, 11, 23)),
        ("大后天", date(2026, 11, 24)),
        ("下周一", date(2026, 11, 23)),
        ("下周三下午", date(2026, 11, 25)),
        ("12月3日", date(2026, 12, 3)),
        ("十二月三号", date(2026, 12, 3)),
        ("2026年12月3日", date(2026, 12, 3)),
        ("3号", date(2026, 12, 3)),
        ("三天后", date(2026, 11, 24)),
    ],
)
def test_dates_people_write(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


def test_day_and_month_both_up_to_twelve_is_ambiguous() -> None:
    assert parse_date("12/3", TODAY) == AmbiguousDate((date(2027, 3, 12), date(2026, 12, 3)))
    assert parse_date("5/5", TODAY) == date(2027, 5, 5)  # both readings agree


def test_a_date_without_a_year_is_the_next_one_or_the_nearest() -> None:
    assert parse_date("15 Nov", TODAY) == date(2027, 11, 15)
    assert parse_date("15 Nov", TODAY, prefer="nearest") == date(2026, 11, 15)


@pytest.mark.parametrize("text", ["blah", "", "2026-02-30", "31/2", "soon"])
def test_no_date_or_an_impossible_one_is_none(text: str) -> None:
    assert parse_date(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:30", "09:30"),
        ("10am", "10:00"),
        ("2 pm", "14:00"),
        ("14.00", "14:00"),
        ("下午两点半", "14:30"),
        ("上午9点", "09:00"),
        ("3点", "15:00"),
        ("no time", None),
    ],
)
def test_times_people_write(text: str, expected: str | None) -> None:
    assert time_of(text) == expected


def test_services_by_their_words() -> None:
    assert service_of("I need a work permit") == "work_permit"
    assert service_of("社保") == "social_insurance"
    assert service_of("tax") == "tax"
    assert service_of("a haircut") is None


def test_the_hall_calendar_knows_weekends_holidays_and_sessions() -> None:
    calendar = HallCalendar.load()
    assert calendar.is_open_day(date(2026, 12, 2))
    assert calendar.closed_reason(date(2026, 12, 5)) == "weekend"
    assert calendar.closed_reason(date(2026, 10, 5)) == "holiday"  # National Day week
    assert calendar.closed_reason(date(2027, 2, 8)) == "holiday"  # Spring Festival 2027
    slots = calendar.slots(date(2026, 12, 2))
    assert slots[0] == "09:00" and slots[-1] == "17:00" and "12:00" not in slots
    assert "13:30" in slots and len(slots) == 14
    assert calendar.slots(date(2026, 12, 5)) == []
    assert {2026, 2027} <= calendar.covered_years


def test_opening_now_and_next_opening() -> None:
    calendar = HallCalendar.load()
    assert calendar.is_open_at(WEDNESDAY_MORNING)
    lunch = WEDNESDAY_MORNING.replace(hour=12, minute=30)
    assert not calendar.is_open_at(lunch)
    assert calendar.next_opening(lunch) == lunch.replace(hour=13, minute=30)
    assert calendar.next_opening(SATURDAY_NIGHT) == datetime(2026, 12, 7, 9, 0, tzinfo=SHANGHAI)
    # Before the National Day week the next opening is after it.
    eve = datetime(2026, 9, 30, 18, 0, tzinfo=SHANGHAI)
    assert calendar.next_opening(eve) == datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    assert calendar.next_opening(eve) - eve > timedelta(days=7)


def test_a_broken_calendar_file_says_where(tmp_path) -> None:
    broken = tmp_path / "hall.yml"
    broken.write_text("timezone: Asia/Shanghai\nsessions: []\nholidays: {2026: [2026-13-01]}\n")
    with pytest.raises(CalendarError, match=r"hall\.yml"):
        HallCalendar.load(broken)
