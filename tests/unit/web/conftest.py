"""A gateway with the real conversation service over a fake Rasa (no processes)."""

import pytest
from fastapi.testclient import TestClient

from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from bot.web.app import create_app
from tests.fakes import FakeRasaClient


@pytest.fixture
def rasa() -> FakeRasaClient:
    return FakeRasaClient([{"text": "Hello!"}])


@pytest.fixture
def service(strings, registry, rasa) -> ConversationService:
    return ConversationService(rasa, NativeOnlyLanguageLayer(), strings, set(registry.codes))


def make_client(settings, service) -> TestClient:
    return TestClient(create_app(settings, service=service), raise_server_exceptions=False)


@pytest.fixture
def client(settings, service):
    settings.telegram.bot_username = "TalentDeskTestBot"
    settings.web.kiosk_idle_seconds = 45
    settings.web.kiosk_idle_warning_seconds = 10
    with make_client(settings, service) as client:
        yield client


def new_session(client: TestClient, channel: str = "web") -> str:
    """A session token from ``POST /api/session``."""
    response = client.post("/api/session", json={"channel": channel})
    assert response.status_code == 200, response.text
    return str(response.json()["session"])
