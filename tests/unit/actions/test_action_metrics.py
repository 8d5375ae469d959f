"""The action server's metrics: each action run is counted under its name."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Action, __version__
from rasa_sdk.interfaces import ActionNotFoundException

from actions.metrics import ActionMetrics, TimedActionExecutor


class SayHello(Action):
    def name(self) -> str:
        return "action_say_hello"

    async def run(self, dispatcher: Any, tracker: Any, domain: Any) -> list[dict[str, Any]]:
        dispatcher.utter_message(text="hello")
        return []


def action_call(name: str) -> dict[str, Any]:
    return {
        "next_action": name,
        "sender_id": "web:abc",
        "version": __version__,
        "domain": {},
        "tracker": {
            "sender_id": "web:abc",
            "slots": {},
            "latest_message": {"text": "hi", "intent": {"name": "greet"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
    }


def count(metrics: ActionMetrics, action: str) -> float | None:
    return metrics.registry.get_sample_value("talentdesk_action_seconds_count", {"action": action})


async def test_each_run_is_counted_under_the_action_name() -> None:
    metrics = ActionMetrics()
    executor = TimedActionExecutor(metrics)
    executor.register_action(SayHello())

    result = await executor.run(action_call("action_say_hello"))

    assert result is not None
    assert count(metrics, "action_say_hello") == 1
    assert b"talentdesk_action_seconds" in metrics.exposition()
    assert b"talentdesk_retrieval_seconds" in metrics.exposition()


async def test_an_unregistered_name_is_counted_as_unknown() -> None:
    metrics = ActionMetrics()
    executor = TimedActionExecutor(metrics)
    with pytest.raises(ActionNotFoundException):
        await executor.run(action_call("action_that_does_not_exist"))
    assert count(metrics, "unknown") == 1
    assert count(metrics, "action_that_does_not_exist") is None
