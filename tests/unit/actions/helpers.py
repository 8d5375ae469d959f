"""Fixed clocks and a runner for action unit tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk.executor import CollectingDispatcher

from tests.fakes import load_domain, make_tracker, rich_replies

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Wednesday morning, inside opening hours.
WEDNESDAY_MORNING = datetime(2026, 12, 2, 10, 15, tzinfo=SHANGHAI)
# A Saturday night: the hall is closed until Monday 9:00.
SATURDAY_NIGHT = datetime(2026, 12, 5, 22, 0, tzinfo=SHANGHAI)


def fixed_clock(moment: datetime):
    return lambda: moment


def tracker_for(
    text: str,
    language: str = "en",
    intent: str = "inform",
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    events: list[dict[str, Any]] | None = None,
):
    tracker = make_tracker(
        text=text,
        intent=intent,
        metadata={"language": language, "channel": "web", "original_text": text},
        slots={"language": language, **(slots or {})},
        events=events,
    )
    if entities:
        tracker.latest_message["entities"] = entities
    return tracker


async def run(action, tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Runs an action; returns (its events, the rich replies it sent)."""
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, load_domain())
    return events, rich_replies(dispatcher)


async def validate(validator, slot: str, value: Any, tracker):
    """Calls ``validate_<slot>`` directly; returns (the slot's new value, replies)."""
    dispatcher = CollectingDispatcher()
    result = await getattr(validator, f"validate_{slot}")(value, dispatcher, tracker, {})
    return result[slot], rich_replies(dispatcher)


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}
