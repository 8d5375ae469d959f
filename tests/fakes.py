"""Deterministic fakes for the seams of the conversation service (unit tests only)."""

from __future__ import annotations

from typing import Any

from actions.knowledge.embedder import HashingEmbedder
from bot.errors import AssistantUnavailableError


class MultilingualHashing(HashingEmbedder):
    """The hashing embedder on the multilingual path, where out-of-scope examples count."""

    @property
    def multilingual(self) -> bool:
        return True


class FakeRasaClient:
    """Answers every message with canned Rasa messages and records what it was sent."""

    def __init__(self, answers: list[dict] | None = None) -> None:
        self.answers = answers if answers is not None else [{"text": "canned answer"}]
        self.sent: list[dict[str, Any]] = []
        self.down = False

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict]:
        if self.down:
            raise AssistantUnavailableError("fake Rasa is down")
        self.sent.append({"sender": sender_id, "text": text, "metadata": metadata})
        return list(self.answers)

    async def is_ready(self) -> bool:
        return not self.down


def make_tracker(
    text: str = "hello",
    metadata: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    intent: str = "greet",
    events: list[dict[str, Any]] | None = None,
    active_loop: dict[str, Any] | None = None,
):
    """A rasa-sdk tracker as the action server receives it, for action unit tests."""
    from rasa_sdk import Tracker

    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.99},
        "entities": [],
        "metadata": metadata or {},
    }
    return Tracker(
        sender_id="test-user",
        slots=slots or {},
        latest_message=latest,
        events=events
        or [{"event": "user", "text": text, "parse_data": latest, "metadata": metadata or {}}],
        paused=False,
        followup_action=None,
        active_loop=active_loop or {},
        latest_action_name="action_listen",
    )


def load_domain() -> dict[str, Any]:
    """The project's real domain.yml as the action server receives it."""
    from pathlib import Path

    import yaml

    return yaml.safe_load((Path(__file__).resolve().parents[1] / "domain.yml").read_text())


def rich_replies(dispatcher) -> list[dict[str, Any]]:
    """The custom payloads an action sent through ``actions.replies.send_reply``."""
    return [m["custom"] for m in dispatcher.messages if m.get("custom", {}).get("talentdesk")]
