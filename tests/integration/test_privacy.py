"""Privacy on the real stack, logging at INFO: a marker typed into a kiosk conversation reaches
the databases but no log, and the kiosk's wipe removes it from every database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.storage.database import create_database_engine
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.unit.privacy.scenario import rows_mentioning

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def informative(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """The assistant logging at INFO, the level of a real installation."""
    assistant = start_assistant(
        tmp_path_factory.mktemp("privacy"), extra_env={"TALENTDESK_LOG_LEVEL": "INFO"}
    )
    try:
        yield assistant
    finally:
        stop_assistant(assistant)


def log_files(assistant: RunningAssistant) -> list[Path]:
    root = assistant.log_path.parent
    return [assistant.log_path, *root.rglob("*.log"), *root.rglob("*.out"), *root.rglob("*.err")]


def databases(assistant: RunningAssistant) -> list:
    storage = assistant.settings.storage
    return [create_database_engine(url) for url in (storage.database_url, storage.rasa_tracker_url)]


def test_the_wipe_removes_a_marker_from_every_database_and_no_log_ever_holds_it(
    informative: RunningAssistant,
) -> None:
    marker = f"PASSPORT-E{uuid.uuid4().int % 10**8:08d}"
    user = "privacy-kiosk"
    for text in (
        f"my passport number is {marker}, can you keep it",  # no answer: an unanswered question
        f"I want to talk to a person about {marker}",  # a handoff request with its transcript
        f"thanks, {marker}",
    ):
        response = informative.chat(user, text, channel="kiosk")
        assert response.status_code == 200, response.text
    app, tracker = databases(informative)
    try:
        assert rows_mentioning(tracker, marker), "Rasa's tracker never stored the marker"
        assert rows_mentioning(app, marker), "the app database never stored the marker"
        session = informative.session(user)
        wiped = httpx.post(f"{informative.settings.web.url}/api/forget", json={"session": session})
        assert wiped.status_code == 204
        assert rows_mentioning(tracker, marker) == []
        assert rows_mentioning(app, marker) == []
        conversation = informative.conversation_id(user)
        assert rows_mentioning(tracker, conversation) == []
        assert rows_mentioning(app, conversation) == []
    finally:
        app.dispose()
        tracker.dispose()
    # The session is gone too: its token opens nothing any more.
    again = httpx.post(informative.api, json={"session": session, "text": "hello"}, timeout=60)
    assert again.status_code == 401
    files = log_files(informative)
    assert any(path.stat().st_size for path in files)
    assert "INFO" in informative.log()  # the level under test really logged
    for path in files:
        assert marker not in path.read_text(errors="replace"), path
