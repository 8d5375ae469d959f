"""The multi-turn conversations through ``/api/chat`` against the real Rasa server and action
server, in English and Chinese: the arrival planner, booking, handoff, feedback, fallbacks.

Dates are computed from the real today in the hall's time zone, so the tests hold on any day.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from actions.hall import HallCalendar
from bot.storage.bookings import BookingBook
from bot.storage.database import create_database_engine
from bot.storage.feedback import RatingLog
from bot.storage.handoffs import HandoffQueue
from tests.integration.conftest import RunningAssistant

pytestmark = pytest.mark.integration

CALENDAR = HallCalendar.load()


def say(assistant: RunningAssistant, user: str, text: str, language: str) -> list[dict]:
    response = assistant.chat(user, text, language=language)
    assert response.status_code == 200, response.text
    replies = response.json()["replies"]
    assert replies and all(r["text"] for r in replies), replies  # never a silent turn
    return replies


def kinds(replies: list[dict]) -> list[str]:
    return [r["kind"] for r in replies]


def one(replies: list[dict], kind: str) -> dict:
    matching = [r for r in replies if r["kind"] == kind]
    assert len(matching) == 1, replies
    return matching[0]


def today() -> date:
    return CALENDAR.now().date()


def next_weekday(weekday: int) -> date:
    day = today() + timedelta(days=1)
    while day.weekday() != weekday:
        day += timedelta(days=1)
    return day


def next_open_day() -> date:
    day = today() + timedelta(days=1)
    while not CALENDAR.is_open_day(day):
        day += timedelta(days=1)
    return day


def engine(assistant: RunningAssistant):
    return create_database_engine(assistant.settings.storage.database_url)


def test_booking_in_english_refuses_a_weekend_and_a_past_date_then_books_shows_and_cancels(
    assistant: RunningAssistant,
) -> None:
    user = "dialogue-book-en"
    ask_service = say(assistant, user, "I want to book an appointment at the hall", "en")
    payloads = [b["payload"] for b in ask_service[-1]["buttons"]]
    assert '/inform{"booking_service": "work_permit"}' in payloads and len(payloads) == 6

    ask_date = say(assistant, user, '/inform{"booking_service": "work_permit"}', "en")
    assert "Which day" in ask_date[-1]["text"]

    saturday = next_weekday(5)
    closed = one(say(assistant, user, saturday.isoformat(), "en"), "invalid_answer")
    assert closed["data"]["reason"] == "weekend" and "closed at weekends" in closed["text"]
    past = one(say(assistant, user, "2020-01-06", "en"), "invalid_answer")
    assert past["data"]["reason"] == "past" and "already passed" in past["text"]

    day = next_open_day()
    ask_time = say(assistant, user, f"{day.day} {day:%B}", "en")[-1]
    assert ask_time["data"]["date"] == day.isoformat()
    slot_button = ask_time["buttons"][0]
    booked = one(say(assistant, user, slot_button["payload"], "en"), "booking")
    code = booked["data"]["code"]
    assert booked["data"] == {
        "code": code,
        "service": "work_permit",
        "date": day.isoformat(),
        "time": slot_button["title"],
        "status": "booked",
        "string": "booking_booked",
        "string_params": {
            "code": code,
            "service": {"key": "service_work_permit"},
            "date": {"date": day.isoformat()},
            "time": slot_button["title"],
        },
    }
    assert code in booked["text"]
    stored = BookingBook(engine(assistant), 2).get(code)
    assert stored is not None and stored.sender_id == assistant.conversation_id(user)

    shown = one(say(assistant, user, f"when is my appointment {code}", "en"), "booking")
    assert shown["data"]["status"] == "booked"
    cancelled = one(say(assistant, user, f"cancel booking {code}", "en"), "booking")
    assert cancelled["data"]["status"] == "cancelled"
    assert BookingBook(engine(assistant), 2).get(code).status == "cancelled"  # type: ignore[union-attr]


def test_booking_in_chinese_refuses_a_closed_day_and_can_be_left_midway(
    assistant: RunningAssistant,
) -> None:
    user = "dialogue-book-zh"
    ask_service = say(assistant, user, "我要预约", "zh")
    assert ask_service[-1]["language"] == "zh" and "哪项业务" in ask_service[-1]["text"]
    ask_date = say(assistant, user, "社保", "zh")
    assert "哪天" in ask_date[-1]["text"]
    closed = one(say(assistant, user, "下周六", "zh"), "invalid_answer")
    assert closed["data"]["reason"] == "weekend" and "周末不办公" in closed["text"]
    left = one(say(assistant, user, "算了", "zh"), "form_left")
    assert "已取消本次预约流程" in left["text"]
    # The form is over: a greeting is answered as a greeting, not as a date.
    assert "greeting" in kinds(say(assistant, user, "你好", "zh"))


def test_arrival_planner_in_english_rejects_an_old_date_and_gives_a_dated_checklist(
    assistant: RunningAssistant,
) -> None:
    user = "dialogue-plan-en"
    ask = say(assistant, user, "I'm arriving in China soon, what do I need to do", "en")
    assert "When do (or did) you enter China" in ask[-1]["text"]
    too_old = one(say(assistant, user, "2019-03-01", "en"), "invalid_answer")
    assert "more than 90 days ago" in too_old["text"]
    ask_purpose = say(assistant, user, "tomorrow", "en")[-1]
    assert '/inform{"stay_purpose": "work"}' in [b["payload"] for b in ask_purpose["buttons"]]
    checklist = one(say(assistant, user, '/inform{"stay_purpose": "work"}', "en"), "checklist")
    entry = today() + timedelta(days=1)
    items = {item["key"]: item for item in checklist["data"]["items"]}
    assert checklist["data"]["entry_date"] == entry.isoformat()
    assert items["police_registration"]["due"] == (entry + timedelta(days=1)).isoformat()
    assert items["work_permit"]["due"] == (entry + timedelta(days=15)).isoformat()
    assert items["residence_permit"]["due"] == (entry + timedelta(days=30)).isoformat()


def test_arrival_planner_in_chinese_and_leaving_it(assistant: RunningAssistant) -> None:
    user = "dialogue-plan-zh"
    say(assistant, user, "帮我列一个入境后的办事清单", "zh")
    bad = one(say(assistant, user, "不清楚", "zh"), "invalid_answer")
    assert "没有识别出日期" in bad["text"]
    say(assistant, user, "明天", "zh")
    checklist = one(say(assistant, user, "来留学", "zh"), "checklist")
    assert checklist["language"] == "zh" and checklist["data"]["purpose"] == "study"
    assert "居留许可" in checklist["text"]

    say(assistant, user, "入境后要做什么", "zh")
    left = one(say(assistant, user, "算了", "zh"), "form_left")
    assert "已退出入境安排规划" in left["text"]


@pytest.mark.parametrize(("language", "text"), [("en", "talk to a person"), ("zh", "转人工")])
def test_handoff_records_the_request_and_outside_hours_takes_a_message(
    assistant: RunningAssistant, language: str, text: str
) -> None:
    user = f"dialogue-human-{language}"
    say(assistant, user, "hello" if language == "en" else "你好", language)
    handoff = one(say(assistant, user, text, language), "handoff")
    assert handoff["language"] == language
    open_now = CALENDAR.is_open_at(CALENDAR.now())
    assert handoff["data"]["staff_available"] is open_now
    queue = HandoffQueue(engine(assistant))
    request = next(r for r in queue.recent() if r.sender_id == assistant.conversation_id(user))
    assert request.language == language and request.status == "open"
    assert [line["role"] for line in request.transcript][:2] == ["user", "bot"]
    if open_now:
        return
    assert "staff_back_at" in handoff["data"]
    message = "Please call me about my permit" if language == "en" else "请给我回电话"
    thanks = one(say(assistant, user, message, language), "handoff")
    assert thanks["data"]["message_stored"] is True
    stored = next(r for r in queue.recent() if r.sender_id == assistant.conversation_id(user))
    assert stored.message == message


def test_a_knowledge_answer_can_be_rated(assistant: RunningAssistant) -> None:
    user = "dialogue-feedback"
    answer = one(
        say(assistant, user, "how do I apply for a residence permit?", "en"), "knowledge_answer"
    )
    entry_id = answer["data"]["entry_id"]
    helpful, not_helpful = answer["buttons"]
    assert helpful["payload"] == f'/feedback{{"entry_id": "{entry_id}", "helpful": true}}'
    thanks = one(say(assistant, user, not_helpful["payload"], "en"), "feedback")
    assert thanks["buttons"] == [{"title": "Talk to a person", "payload": "/request_human"}]
    assert RatingLog(engine(assistant)).totals()[entry_id][1] >= 1


def test_a_user_stuck_twice_is_offered_a_person(assistant: RunningAssistant) -> None:
    user = "dialogue-stuck"
    first = say(assistant, user, "blorf quazzle snerk", "en")
    assert "not_sure" in kinds(first)
    second = say(assistant, user, "zingle wompa frazz", "en")
    person = one(second, "reach_a_person")
    assert {"title": "Talk to a person", "payload": "/request_human"} in person["buttons"]


def test_language_menu_bot_challenge_and_the_knowledge_faq_in_chinese(
    assistant: RunningAssistant,
) -> None:
    menu = one(say(assistant, "dialogue-misc", "change language", "en"), "language_menu")
    assert menu["language"] == "en"
    bot = say(assistant, "dialogue-misc", "are you a bot", "en")
    assert "automated assistant" in bot[-1]["text"]
    answer = one(say(assistant, "dialogue-misc-zh", "大厅几点开门", "zh"), "knowledge_answer")
    assert answer["language"] == "zh" and answer["source"]["entry_id"]
