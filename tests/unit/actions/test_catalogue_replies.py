"""Replies written by actions name their catalogue key, so every visitor reads them in their own
language: the action writes English (or Chinese) and the gateway re-renders the key."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import INTENT_BUTTONS, SPECIAL_BUTTONS, ActionDidYouMean
from actions.feedback import ActionRecordFeedback
from actions.hall import HallCalendar
from actions.handoff import ActionRequestHuman
from actions.interface_strings import interface_string
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import HashingEmbedder
from actions.knowledge.facts import Facts
from actions.replies import send_reply
from bot.conversation.rasa_client import parse_rasa_messages
from bot.language.detection import LanguageIdentifier
from bot.language.protection import Glossary
from bot.language.translating_layer import TranslatingLanguageLayer
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.feedback import RatingLog
from bot.storage.handoffs import HandoffQueue
from bot.storage.unanswered import UnansweredLog
from tests.fakes import rich_replies
from tests.unit.actions.helpers import WEDNESDAY_MORNING, fixed_clock, run, tracker_for
from tests.unit.knowledge.helpers import write_entry, write_knowledge

KNOWLEDGE = Path(__file__).resolve().parents[3] / "knowledge"


class NoTranslation:
    """An engine with no language pair installed: only the catalogue can give Arabic."""

    def can_translate(self, source: str, target: str) -> bool:
        return False

    def revision(self) -> int:
        return 0

    def translate(self, sentences: list[str], source: str, target: str) -> list[str]:
        raise AssertionError("nothing should be machine-translated")


@pytest.fixture
def did_you_mean(tmp_path: Path, registry) -> ActionDidYouMean:
    folder = write_knowledge(tmp_path / "knowledge")
    write_entry(folder, "sim-card")
    base = KnowledgeBase(folder, tmp_path / "index", HashingEmbedder(), registry.codes)
    base.warm_up()
    engine = create_database_engine(f"sqlite:///{tmp_path}/app.db")
    ensure_schema(engine)
    return ActionDidYouMean(base, UnansweredLog(engine), {"en": 0.99, "zh": 0.99, "other": 0.99})


@pytest.fixture
def layer(strings, registry) -> TranslatingLanguageLayer:
    identifier = LanguageIdentifier(registry.codes)
    return TranslatingLanguageLayer(identifier, NoTranslation(), strings, registry, Glossary.load())


def tracker(text: str, language: str, intent: str, ranking: list[tuple[str, float]], events=None):
    result = tracker_for(text, language, intent=intent, events=events)
    result.latest_message["intent_ranking"] = [
        {"name": name, "confidence": confidence} for name, confidence in ranking
    ]
    return result


async def localized(layer, replies: list[dict], language: str):
    parsed = parse_rasa_messages([{"custom": reply} for reply in replies], "en")
    return await layer.localize(parsed, language)


async def test_an_arabic_visitor_reads_out_of_scope_and_reach_a_person_in_arabic(
    did_you_mean, layer, strings
) -> None:
    asked = tracker("tell me a joke", "ar", "out_of_scope", [("out_of_scope", 0.9)])
    _, replies = await run(did_you_mean, asked)
    assert [(r["language"], r["data"]["string"]) for r in replies] == [
        ("en", "out_of_scope"),
        ("en", "reach_a_person"),
    ]
    declined, person = await localized(layer, replies, "ar")
    assert declined.text == strings.get("out_of_scope", "ar") and declined.language == "ar"
    assert person.text == strings.get("reach_a_person", "ar") and not person.notes


async def test_an_arabic_visitor_reads_did_you_mean_and_its_intent_buttons_in_arabic(
    did_you_mean, layer, strings
) -> None:
    ranking = [("nlu_fallback", 0.4), ("show_appointment", 0.3), ("hall_hours_location", 0.2)]
    asked = tracker("sim card appointment maybe", "ar", "nlu_fallback", ranking)
    _, (not_sure, person) = await run(did_you_mean, asked)
    assert not_sure["data"]["string"] == "not_sure"
    titles = [b["title"] for b in not_sure["buttons"]]
    assert titles[:2] == [
        interface_string("button_show_appointment", "en"),
        interface_string("button_hours_directions", "en"),
    ]
    shown, _ = await localized(layer, [not_sure, person], "ar")
    assert shown.text == strings.get("not_sure", "ar")
    assert [b.title for b in shown.buttons[:2]] == [
        strings.get("button_show_appointment", "ar"),
        strings.get("button_hours_directions", "ar"),
    ]


async def test_stuck_twice_reads_in_the_visitors_language_with_its_button(
    did_you_mean, layer, strings
) -> None:
    not_sure = {"talentdesk": 1, "text": "?", "kind": "not_sure"}
    events = [
        {"event": "user", "text": "blorp", "metadata": {"original_text": "blorp"}},
        {"event": "bot", "text": None, "data": {"custom": not_sure}},
        {"event": "user", "text": "zzz", "metadata": {"original_text": "zzz"}},
    ]
    asked = tracker("zzz", "ar", "nlu_fallback", [("nlu_fallback", 0.9)], events)
    _, (_, person) = await run(did_you_mean, asked)
    assert person["kind"] == "reach_a_person"
    assert person["data"]["string"] == "still_stuck_reach_a_person"
    (shown,) = await localized(layer, [person], "ar")
    assert shown.text == strings.get("still_stuck_reach_a_person", "ar")
    assert [b.title for b in shown.buttons] == [strings.get("button_talk_to_person", "ar")]


def test_every_did_you_mean_button_is_a_catalogue_key(strings) -> None:
    catalogue = strings.keys()
    for key in [*INTENT_BUTTONS.values(), *SPECIAL_BUTTONS.values()]:
        assert key in catalogue, key


def test_the_hotline_in_every_language_is_the_fact(strings, registry) -> None:
    """The catalogue has no facts placeholder: the number is written out, and must not drift."""
    hotline = Facts.load(KNOWLEDGE / "facts.yml").facts["tel_city_hotline"].value_in("en")
    for code in registry.codes:
        for key in ("reach_a_person", "still_stuck_reach_a_person"):
            assert hotline in strings.get(key, code), (code, key)
        assert strings.get("still_stuck_reach_a_person", code).startswith(
            strings.get("still_stuck", code)
        ), code


async def test_handoff_and_feedback_replies_name_their_keys(tmp_path: Path, layer, strings) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path}/handoff.db")
    ensure_schema(engine)
    request = ActionRequestHuman(
        HandoffQueue(engine), HallCalendar.load(), fixed_clock(WEDNESDAY_MORNING)
    )
    _, (joined,) = await run(request, tracker_for("human", "ar", intent="request_human"))
    assert joined["data"]["string"] == "handoff_open"
    _, (thanks,) = await run(
        ActionRecordFeedback(RatingLog(engine)), tracker_for("great", "ar", intent="feedback")
    )
    assert thanks["data"]["string"] == "feedback_thanks"
    shown = await localized(layer, [joined, thanks], "ar")
    assert [reply.text for reply in shown] == [
        strings.get("handoff_open", "ar"),
        strings.get("feedback_thanks", "ar"),
    ]


def test_send_reply_names_the_key_and_its_params() -> None:
    dispatcher = CollectingDispatcher()
    text = interface_string("booking_slot_full", "en", time="09:30")
    send_reply(dispatcher, text, "en", string="booking_slot_full", params={"time": "09:30"})
    (reply,) = rich_replies(dispatcher)
    assert reply["text"] == "09:30 is fully booked. Please pick another slot."
    assert reply["data"] == {"string": "booking_slot_full", "string_params": {"time": "09:30"}}
