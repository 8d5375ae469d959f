"""Replies with dates, service names and opening hours reach an Arabic or Russian visitor in
their language with no translation package: the action sends typed values (a date, a key, the
hours) and the gateway writes them with Babel's CLDR data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date as babel_date
from babel.dates import get_month_names
from babel.lists import format_list

from actions.booking.form import ActionAskBookingTime, BookingRules, ValidateBookingForm
from actions.booking.manage import ActionCancelBooking, ActionConfirmBooking, ActionShowBooking
from actions.hall import HallCalendar
from actions.handoff import ActionRequestHuman
from actions.planner import ActionArrivalChecklist, ValidateArrivalPlanForm
from bot.conversation.rasa_client import parse_rasa_messages
from bot.language.detection import LanguageIdentifier
from bot.language.protection import Glossary
from bot.language.translating_layer import TranslatingLanguageLayer
from bot.language.values import babel_locale, format_date, render_params
from bot.storage.bookings import BookingBook
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.handoffs import HandoffQueue
from tests.unit.actions.helpers import (
    SATURDAY_NIGHT,
    WEDNESDAY_MORNING,
    fixed_clock,
    run,
    tracker_for,
    validate,
)

THURSDAY = date(2026, 12, 3)
SATURDAY = date(2026, 12, 5)
MONDAY = date(2026, 12, 7)
LANGUAGES = ("ar", "ru")


class NoTranslation:
    """No language pair installed: only the catalogue (and Babel) can give Arabic or Russian."""

    def can_translate(self, source: str, target: str) -> bool:
        return False

    def revision(self) -> int:
        return 0

    def translate(self, sentences: list[str], source: str, target: str) -> list[str]:
        raise AssertionError("nothing should be machine-translated")


@pytest.fixture
def layer(strings, registry) -> TranslatingLanguageLayer:
    identifier = LanguageIdentifier(registry.codes)
    return TranslatingLanguageLayer(identifier, NoTranslation(), strings, registry, Glossary.load())


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    return engine


@pytest.fixture
def book(engine) -> BookingBook:
    return BookingBook(engine, capacity_per_slot=1)


@pytest.fixture
def rules(book: BookingBook) -> BookingRules:
    return BookingRules(HallCalendar.load(), book, fixed_clock(WEDNESDAY_MORNING), 60)


def cldr(day: date, language: str) -> str:
    """Babel's own full date, the form the gateway must show."""
    return str(babel_date(day, format="full", locale=babel_locale(language)))


async def localized(layer, replies: list[dict], language: str):
    parsed = parse_rasa_messages([{"custom": reply} for reply in replies], "en")
    shown = await layer.localize(parsed, language)
    assert all(r.language == language and not r.notes and not r.machine_translated for r in shown)
    return shown


def test_every_language_has_a_babel_locale_and_a_date(registry) -> None:
    for code in registry.codes:
        assert babel_locale(code) is not None, code
        assert format_date(THURSDAY, code).strip(), code
    assert str(babel_locale("tl")) == "fil" and str(babel_locale("zh")) == "zh_Hans_CN"
    assert format_date(THURSDAY, "en") == "Thursday 3 December 2026"
    assert format_date(THURSDAY, "zh") == "2026年12月3日（星期四）"
    assert format_date(THURSDAY, "ru") == cldr(THURSDAY, "ru")


def test_a_malformed_typed_value_is_left_as_it_is(strings) -> None:
    params = {"date": {"date": "not a date"}, "n": 3, "service": {"key": "no_such_key"}}
    assert render_params(params, "ru", strings.get) == params


@pytest.mark.parametrize("language", LANGUAGES)
async def test_a_closed_day_and_the_next_open_day_in_the_visitors_language(
    rules, layer, strings, language
) -> None:
    tracker = tracker_for("2026-12-05", language)
    _, (reply,) = await validate(ValidateBookingForm(rules), "booking_date", "2026-12-05", tracker)
    assert reply["language"] == "en" and "Saturday 5 December 2026" in reply["text"]
    (shown,) = await localized(layer, [reply], language)
    reason = strings.get("booking_weekend", language, date=cldr(SATURDAY, language))
    following = strings.get("booking_next_open", language, date=cldr(MONDAY, language))
    assert shown.text == f"{reason} {following}"
    month = get_month_names("wide", "format", locale=babel_locale(language))[12]
    assert month in shown.text  # "ديسمبر", and Russian's genitive "декабря"
    assert [b.title for b in shown.buttons] == [cldr(MONDAY, language)]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_time_question_gives_the_date_and_hours_in_the_visitors_language(
    rules, layer, strings, language
) -> None:
    tracker = tracker_for("x", language, slots={"booking_date": THURSDAY.isoformat()})
    _, (reply,) = await run(ActionAskBookingTime(rules), tracker)
    (shown,) = await localized(layer, [reply], language)
    hours = format_list(["9:00-12:00", "13:30-17:30"], locale=babel_locale(language))
    assert shown.text == strings.get(
        "booking_ask_time", language, date=cldr(THURSDAY, language), hours=hours
    )
    assert shown.buttons[0].title == "09:00"


@pytest.mark.parametrize("language", LANGUAGES)
async def test_booked_shown_and_cancelled_in_the_visitors_language(
    rules, layer, strings, language
) -> None:
    slots = {
        "booking_service": "work_permit",
        "booking_date": THURSDAY.isoformat(),
        "booking_time": "14:00",
    }
    _, (booked,) = await run(ActionConfirmBooking(rules), tracker_for("x", language, slots=slots))
    code = booked["data"]["code"]
    values = {
        "code": code,
        "service": strings.get("service_work_permit", language),
        "date": cldr(THURSDAY, language),
        "time": "14:00",
    }
    (shown,) = await localized(layer, [booked], language)
    assert shown.text == strings.get("booking_booked", language, **values)

    show = tracker_for(f"show {code}", language, intent="show_appointment")
    _, (status,) = await run(ActionShowBooking(rules), show)
    (shown,) = await localized(layer, [status], language)
    booked_word = strings.get("booking_status_booked", language)
    assert shown.text == strings.get("booking_show", language, status=booked_word, **values)

    which = tracker_for("cancel my appointment", language, intent="cancel_appointment")
    _, (question,) = await run(ActionCancelBooking(rules), which)
    (shown,) = await localized(layer, [question], language)
    assert shown.text == strings.get("booking_which_cancel", language)
    assert [b.title for b in shown.buttons] == [
        strings.get("booking_cancel_button_when", language, **values)
    ]

    _, (cancelled,) = await run(ActionCancelBooking(rules), tracker_for(f"cancel {code}", language))
    (shown,) = await localized(layer, [cancelled], language)
    assert shown.text == strings.get("booking_cancelled", language, **values)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_service_buttons_in_the_visitors_language(rules, layer, strings, language) -> None:
    _, (reply,) = await validate(
        ValidateBookingForm(rules), "booking_service", "a dog licence", tracker_for("x", language)
    )
    (shown,) = await localized(layer, [reply], language)
    assert shown.buttons[1].title == strings.get("service_work_permit", language)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_closed_hall_handoff_says_when_staff_are_back(
    engine, layer, strings, language
) -> None:
    request = ActionRequestHuman(
        HandoffQueue(engine), HallCalendar.load(), fixed_clock(SATURDAY_NIGHT)
    )
    _, (reply,) = await run(request, tracker_for("human", language, intent="request_human"))
    assert "Monday 7 December 2026 at 9:00" in reply["text"]
    (shown,) = await localized(layer, [reply], language)
    assert shown.text == strings.get(
        "handoff_closed", language, date=cldr(MONDAY, language), time="9:00"
    )


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_arrival_checklist_in_the_visitors_language(layer, strings, language) -> None:
    slots = {"entry_date": "2026-11-20", "stay_purpose": "talent"}
    tracker = tracker_for("/inform", language, slots=slots)
    _, (reply,) = await run(ActionArrivalChecklist(fixed_clock(WEDNESDAY_MORNING)), tracker)
    (shown,) = await localized(layer, [reply], language)
    lines = shown.text.split("\n")
    purpose = strings.get("purpose_talent", language)
    assert lines[0] == strings.get(
        "planner_checklist_header",
        language,
        date=cldr(date(2026, 11, 20), language),
        purpose=purpose,
    )
    police = strings.get("planner_item_police_registration", language)
    overdue = strings.get("planner_due_overdue", language, date=cldr(date(2026, 11, 21), language))
    assert lines[1] == f"• {police} — {overdue}"
    permit = strings.get("planner_item_work_permit", language)
    by = strings.get("planner_by", language, date=cldr(date(2026, 12, 5), language))
    assert f"• {permit} — {by}" in lines
    assert lines[-1] == "• " + strings.get("planner_item_talent_accreditation", language)
    assert len(lines) == 1 + len(reply["data"]["items"])


@pytest.mark.parametrize("language", LANGUAGES)
async def test_an_ambiguous_entry_date_is_asked_in_the_visitors_language(
    layer, strings, language
) -> None:
    validator = ValidateArrivalPlanForm(fixed_clock(WEDNESDAY_MORNING))
    tracker = tracker_for("2/1", language)
    value, (reply,) = await validate(validator, "entry_date", "2/1", tracker)
    assert value is None
    (shown,) = await localized(layer, [reply], language)
    first, second = (
        cldr(date.fromisoformat(b["payload"].split('"')[-2]), language) for b in reply["buttons"]
    )
    assert shown.text == strings.get("booking_which_date", language, first=first, second=second)
    assert [b.title for b in shown.buttons] == [first, second]
