from pathlib import Path

import pytest
from sqlalchemy import create_engine

from actions.fallback import ActionDidYouMean
from actions.feedback import ActionRecordFeedback, feedback_buttons
from actions.forms import ActionLeaveForm
from actions.hall import HallCalendar
from actions.handoff import ActionRequestHuman, ActionStoreHandoffMessage
from actions.interface_strings import interface_string
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import HashingEmbedder
from actions.language_menu import ActionOfferLanguages
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.feedback import RatingLog
from bot.storage.handoffs import HandoffQueue
from bot.storage.unanswered import UnansweredLog
from tests.unit.actions.helpers import (
    SATURDAY_NIGHT,
    WEDNESDAY_MORNING,
    fixed_clock,
    run,
    slot_events,
    tracker_for,
)
from tests.unit.knowledge.helpers import write_entry, write_knowledge


@pytest.fixture
def engine(tmp_path: Path):
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    return engine


def conversation(*turns: tuple[str, str, str | None]) -> list[dict]:
    """Tracker events: (role, text, reply kind)."""
    events = []
    for role, text, kind in turns:
        if role == "user":
            events.append({"event": "user", "text": text, "metadata": {"original_text": text}})
        else:
            custom = {"talentdesk": 1, "text": text, "kind": kind or "text"}
            events.append({"event": "bot", "text": None, "data": {"custom": custom}})
    return events


async def test_inside_hours_staff_are_asked_to_join_with_the_transcript(engine) -> None:
    queue = HandoffQueue(engine)
    action = ActionRequestHuman(queue, HallCalendar.load(), fixed_clock(WEDNESDAY_MORNING))
    events = conversation(
        ("user", "hello", None), ("bot", "Hello!", "greeting"), ("user", "talk to a person", None)
    )
    tracker = tracker_for("talk to a person", "fr", intent="request_human", events=events)
    events, (reply,) = await run(action, tracker)
    assert reply["kind"] == "handoff" and reply["data"]["staff_available"] is True
    assert "will reply here shortly" in reply["text"]
    assert slot_events(events)["handoff_outside_hours"] is False
    (request,) = queue.recent()
    assert (request.sender_id, request.language, request.status) == ("test-user", "fr", "open")
    assert [line["text"] for line in request.transcript] == ["hello", "Hello!", "talk to a person"]


async def test_outside_hours_it_says_when_staff_are_back_and_takes_a_message(engine) -> None:
    queue = HandoffQueue(engine)
    action = ActionRequestHuman(queue, HallCalendar.load(), fixed_clock(SATURDAY_NIGHT))
    events, (reply,) = await run(action, tracker_for("转人工", "zh", intent="request_human"))
    assert "2026年12月7日（星期一） 9:00" in reply["text"]
    assert reply["data"]["staff_back_at"] == "2026-12-07T09:00:00+08:00"
    slots = slot_events(events)
    assert slots["handoff_outside_hours"] is True
    store = ActionStoreHandoffMessage(queue)
    tracker = tracker_for(
        "请回电",
        "zh",
        slots={"handoff_message": "请回电", "handoff_request_id": slots["handoff_request_id"]},
    )
    _, (thanks,) = await run(store, tracker)
    assert thanks["data"]["message_stored"] is True and "留言已保存" in thanks["text"]
    assert queue.recent()[0].message == "请回电"


async def test_a_database_failure_still_tells_how_to_reach_a_person() -> None:
    broken = HandoffQueue(create_engine("sqlite:////nonexistent-dir/x.db"))
    action = ActionRequestHuman(broken, HallCalendar.load(), fixed_clock(WEDNESDAY_MORNING))
    _, replies = await run(action, tracker_for("human", intent="request_human"))
    assert [r["kind"] for r in replies] == ["handoff", "reach_a_person"]


def answered(entry_id: str) -> list[dict]:
    """The bot event of a knowledge answer with ``entry_id`` given in the conversation."""
    custom = {"kind": "knowledge_answer", "data": {"entry_id": entry_id}}
    return [{"event": "bot", "text": "an answer", "data": {"custom": custom}}]


async def test_a_rating_is_stored_with_its_entry_and_thanked(engine) -> None:
    ratings = RatingLog(engine)
    action = ActionRecordFeedback(ratings)
    entities = [{"entity": "entry_id", "value": "sim-card"}, {"entity": "helpful", "value": True}]
    tracker = tracker_for(
        "/feedback", intent="feedback", entities=entities, events=answered("sim-card")
    )
    _, (reply,) = await run(action, tracker)
    assert reply["kind"] == "feedback" and "Thank you" in reply["text"]
    entities = [{"entity": "entry_id", "value": "sim-card"}, {"entity": "helpful", "value": False}]
    tracker = tracker_for("/feedback", "zh", entities=entities, events=answered("sim-card"))
    _, (reply,) = await run(action, tracker)
    talk = interface_string("button_talk_to_person", "zh")
    assert reply["buttons"] == [{"title": talk, "payload": "/request_human"}]
    assert reply["data"]["string"] == "feedback_not_helpful"
    assert ratings.totals() == {"sim-card": (1, 1)}


async def test_a_rating_of_an_entry_never_answered_here_is_not_stored(engine) -> None:
    ratings = RatingLog(engine)
    entities = [{"entity": "entry_id", "value": "visas"}, {"entity": "helpful", "value": False}]
    for events in (None, answered("sim-card")):  # typed by hand, or for another answer
        tracker = tracker_for("/feedback", intent="feedback", entities=entities, events=events)
        _, (reply,) = await run(ActionRecordFeedback(ratings), tracker)
        assert reply["kind"] == "feedback"
    assert ratings.totals() == {}


async def test_feedback_in_words_is_thanked_without_a_guessed_rating(engine) -> None:
    ratings = RatingLog(engine)
    _, (reply,) = await run(ActionRecordFeedback(ratings), tracker_for("great", intent="feedback"))
    assert reply["text"] == "Thank you for the feedback!" and ratings.totals() == {}


def test_feedback_buttons_carry_the_entry_and_the_rating() -> None:
    up, down = feedback_buttons("visas-extension", "en")
    assert up["payload"] == '/feedback{"entry_id": "visas-extension", "helpful": true}'
    assert down["payload"] == '/feedback{"entry_id": "visas-extension", "helpful": false}'


@pytest.fixture
def did_you_mean(tmp_path: Path, registry, engine) -> ActionDidYouMean:
    folder = write_knowledge(tmp_path / "knowledge")
    write_entry(folder, "sim-card")
    base = KnowledgeBase(folder, tmp_path / "index", HashingEmbedder(), registry.codes)
    base.warm_up()
    return ActionDidYouMean(base, UnansweredLog(engine), {"en": 0.99, "zh": 0.99, "other": 0.99})


def unsure(text: str, language: str = "en", events=None):
    tracker = tracker_for(text, language, intent="nlu_fallback", events=events)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "book_appointment", "confidence": 0.3},
        {"name": "chitchat", "confidence": 0.2},
        {"name": "hall_hours_location", "confidence": 0.15},
        {"name": "request_human", "confidence": 0.01},
    ]
    return tracker


async def test_did_you_mean_offers_likely_intents_and_knowledge_entries(did_you_mean) -> None:
    _, (not_sure, person) = await run(did_you_mean, unsure("sim card booking maybe"))
    payloads = [b["payload"] for b in not_sure["buttons"]]
    assert payloads[:2] == [
        "/book_appointment",
        '/ask_knowledge{"entry_id": "community-hall-opening-hours"}',
    ]
    assert any(p.startswith('/ask_knowledge{"entry_id": "') for p in payloads[2:])
    assert not_sure["kind"] == "not_sure" and "buttons" not in person


async def test_stuck_twice_is_offered_a_person(did_you_mean) -> None:
    events = conversation(
        ("user", "blorp", None), ("bot", "Did you mean?", "not_sure"), ("user", "zzz", None)
    )
    _, (_, person) = await run(did_you_mean, unsure("zzz", "zh", events))
    assert person["kind"] == "reach_a_person"
    talk = interface_string("button_talk_to_person", "zh")
    assert person["buttons"] == [{"title": talk, "payload": "/request_human"}]
    assert person["data"]["string"] == "still_stuck_reach_a_person"
    assert "还是没能理解" in person["text"] and "12345" in person["text"]


async def test_leaving_a_form_confirms_and_clears_its_slots() -> None:
    events = [
        {"event": "active_loop", "name": "booking_form"},
        {"event": "active_loop", "name": None},
    ]
    tracker = tracker_for("算了", "zh", intent="stop", events=events)
    events, (reply,) = await run(ActionLeaveForm(), tracker)
    assert "已取消本次预约流程" in reply["text"]
    assert reply["data"]["string"] == "form_left_booking"
    assert slot_events(events) == dict.fromkeys(["booking_service", "booking_date", "booking_time"])


async def test_change_language_asks_the_channel_for_its_picker() -> None:
    _, (reply,) = await run(ActionOfferLanguages(), tracker_for("change language", "de"))
    assert reply["kind"] == "language_menu" and reply["language"] == "en"
    assert reply["data"] == {"current_language": "de", "string": "language_menu_intro"}


async def test_a_stray_form_answer_outside_a_form_clears_the_form_slots(did_you_mean) -> None:
    tracker = tracker_for('/inform{"booking_date": "2026-12-03"}', intent="inform")
    events, replies = await run(did_you_mean, tracker)
    assert replies and slot_events(events)["booking_date"] is None
    assert set(slot_events(events)) >= {"entry_date", "stay_purpose", "booking_time"}
