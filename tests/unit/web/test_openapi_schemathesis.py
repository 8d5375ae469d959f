"""Schemathesis against the gateway's own OpenAPI document, in-process (ASGI) over a fake Rasa:
no request it generates gets a 5xx, and every answer is one the document describes (status,
content type, body schema)."""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from bot.web.app import create_app
from tests.fakes import FakeRasaClient

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def gateway(settings, strings, registry) -> Iterator[Any]:
    settings.telegram.bot_username = "TalentDeskTestBot"
    service = ConversationService(
        FakeRasaClient([{"text": "Hello!"}]),
        NativeOnlyLanguageLayer(),
        strings,
        set(registry.codes),
    )
    app = create_app(settings, service=service)
    with TestClient(app):  # runs the lifespan: databases, sessions, limits
        yield app


def test_every_answer_is_documented_and_none_is_a_5xx(gateway) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", gateway)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8  # session, chat, language, forget, config, strings, QR x2

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=40,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any) -> None:
            # Half the generated bodies carry a real session, so the routes past the 401 are
            # reached (the other half check the 401 itself).
            if isinstance(case.body, dict) and "session" in case.body and len(str(case.body)) % 2:
                case.body["session"] = gateway.state.sessions.issue("kiosk")[0]
            case.call_and_validate(checks=CHECKS)

        check()
