from datetime import date

import pytest

from actions.planner import (
    ActionArrivalChecklist,
    ValidateArrivalPlanForm,
    build_checklist,
    purpose_of,
)
from tests.unit.actions.helpers import (
    WEDNESDAY_MORNING,
    fixed_clock,
    run,
    slot_events,
    tracker_for,
    validate,
)

CLOCK = fixed_clock(WEDNESDAY_MORNING)  # 2026-12-02


@pytest.fixture
def validator() -> ValidateArrivalPlanForm:
    return ValidateArrivalPlanForm(CLOCK)


def test_work_checklist_has_the_legal_deadlines_in_order() -> None:
    items = {item.key: item.due for item in build_checklist(date(2026, 12, 3), "work")}
    assert items["police_registration"] == date(2026, 12, 4)  # within 24 hours
    assert items["work_permit"] == date(2026, 12, 18)  # 15 days
    assert items["residence_permit"] == date(2027, 1, 2)  # 30 days
    assert items["tax"] == date(2027, 6, 30)
    dues = [item.due for item in build_checklist(date(2026, 12, 3), "work") if item.due]
    assert dues == sorted(dues)


def test_checklists_adapt_to_the_purpose() -> None:
    study = {item.key for item in build_checklist(date(2026, 12, 3), "study")}
    assert "residence_permit" in study and "work_permit" not in study
    business = {item.key for item in build_checklist(date(2026, 12, 3), "business")}
    assert "visa_stay" in business and "residence_permit" not in business
    talent = {item.key for item in build_checklist(date(2026, 12, 3), "talent")}
    assert {"work_permit", "talent_accreditation"} <= talent


@pytest.mark.parametrize(
    ("text", "purpose"),
    [
        ("work", "work"),
        ("I'm a student", "study"),
        ("joining my wife", "family"),
        ("Z", "work"),
        ("M visa", "business"),
        ("人才引进", "talent"),
        ("来留学", "study"),
        ("探亲", "family"),
        ("a holiday", None),
    ],
)
def test_purposes_from_words_and_visa_letters(text: str, purpose: str | None) -> None:
    assert purpose_of(text) == purpose


async def test_a_valid_entry_date_is_stored_as_iso(validator) -> None:
    value, replies = await validate(validator, "entry_date", "next Monday", tracker_for("x"))
    assert value == "2026-12-07" and replies == []
    value, _ = await validate(validator, "entry_date", "12月3日", tracker_for("x", "zh"))
    assert value == "2026-12-03"


async def test_a_button_payload_gives_its_value(validator) -> None:
    payload = '/inform{"entry_date": "2026-12-10"}'
    value, _ = await validate(validator, "entry_date", payload, tracker_for(payload))
    assert value == "2026-12-10"
    payload = '/inform{"stay_purpose": "study"}'
    value, _ = await validate(validator, "stay_purpose", payload, tracker_for(payload))
    assert value == "study"


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("whenever", "en", "couldn't read a date"),
        ("2020-01-01", "en", "more than 90 days ago"),
        ("2029-01-01", "en", "more than a year ahead"),
        ("不知道", "zh", "没有识别出日期"),
        ("2020年1月1日", "zh", "已超过90天"),
    ],
)
async def test_bad_entry_dates_are_refused_with_a_reason(validator, text, language, expected):
    value, (reply,) = await validate(validator, "entry_date", text, tracker_for(text, language))
    assert value is None
    assert expected in reply["text"] and reply["language"] == language


async def test_an_ambiguous_date_offers_both_readings(validator) -> None:
    value, (reply,) = await validate(validator, "entry_date", "1/2", tracker_for("1/2"))
    assert value is None and "Did you mean" in reply["text"]
    payloads = [b["payload"] for b in reply["buttons"]]
    assert payloads == [
        '/inform{"entry_date": "2027-02-01"}',
        '/inform{"entry_date": "2027-01-02"}',
    ]


async def test_an_unknown_purpose_is_asked_again(validator) -> None:
    value, (reply,) = await validate(validator, "stay_purpose", "holiday", tracker_for("holiday"))
    assert value is None and "work, study, family" in reply["text"]


async def test_the_checklist_is_dated_marks_overdue_items_and_clears_the_form() -> None:
    tracker = tracker_for("/inform", slots={"entry_date": "2026-11-20", "stay_purpose": "work"})
    events, (reply,) = await run(ActionArrivalChecklist(CLOCK), tracker)
    assert reply["kind"] == "checklist" and reply["language"] == "en"
    items = {item["key"]: item for item in reply["data"]["items"]}
    assert items["police_registration"] == {
        "key": "police_registration",
        "title": items["police_registration"]["title"],
        "due": "2026-11-21",
        "overdue": True,
    }
    assert items["work_permit"]["due"] == "2026-12-05" and not items["work_permit"]["overdue"]
    assert "Saturday 5 December 2026" in reply["text"] and "deadline passed" in reply["text"]
    assert slot_events(events) == {"entry_date": None, "stay_purpose": None}


async def test_the_checklist_in_chinese() -> None:
    tracker = tracker_for(
        "/inform", "zh", slots={"entry_date": "2026-12-03", "stay_purpose": "study"}
    )
    _, (reply,) = await run(ActionArrivalChecklist(CLOCK), tracker)
    assert reply["language"] == "zh" and "2026年12月3日（星期四）" in reply["text"]
    assert "居留许可" in reply["text"] and "2027年1月2日" in reply["text"]
