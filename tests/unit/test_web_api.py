import pytest
from fastapi.testclient import TestClient

from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from bot.web.app import create_app
from tests.fakes import FakeRasaClient
from tests.unit.web.conftest import new_session


@pytest.fixture
def rasa() -> FakeRasaClient:
    return FakeRasaClient([{"text": "Hello!"}])


@pytest.fixture
def client(settings, strings, registry, rasa):
    service = ConversationService(
        rasa,
        NativeOnlyLanguageLayer(),
        strings,
        set(registry.codes),
        max_text_chars=settings.web.max_text_chars,
    )
    with TestClient(create_app(settings, service=service), raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def session(client) -> str:
    return new_session(client)


def test_chat_returns_structured_replies(client, session, rasa) -> None:
    response = client.post("/api/chat", json={"session": session, "text": "hello"})
    assert response.status_code == 200
    body = response.json()
    assert body["language"] == "en"
    assert rasa.sent[0]["sender"].startswith("web:")
    assert body["replies"][0]["text"] == "Hello!"
    assert body["replies"][0]["language"] == "en"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"text": "hello"}', 422, "invalid_request"),
        (b'{"session": "S"}', 422, "invalid_request"),
        (b'{"session": "S", "text": ""}', 422, "empty_text"),
        (b'{"session": "S", "text": "   "}', 422, "empty_text"),
        (b'{"session": "S", "text": 5}', 422, "invalid_request"),
        (b'{"session": "S", "text": "hi", "channel": "telegram"}', 422, "invalid_request"),
        (b'{"session": "S", "user": "u1", "text": "hi"}', 422, "invalid_request"),
        (b'{"session": "web.forged", "text": "hi"}', 401, "invalid_session"),
        (b'{"session": "S", "text": "hi", "extra": 1}', 422, "invalid_request"),
        (b'{"session": "S", "text": "hi", "language": "xx"}', 422, "unsupported_language"),
        (b'["user", "text"]', 422, "invalid_request"),
        (b'{"session": "S", "text": "hel', 400, "invalid_json"),
        (b"not json at all", 400, "invalid_json"),
        (b'{"session": "S", "text": "\xff\xfe\x00binary"}', 400, "invalid_encoding"),
        (b'{"session": "S", "text": "a\\u0000b"}', 422, "binary_text"),
        (b"", 400, "invalid_json"),
    ],
)
def test_bad_input_gets_a_clear_4xx(
    client, rasa, session, body: bytes, status: int, code: str
) -> None:
    body = body.replace(b'"S"', f'"{session}"'.encode())
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert rasa.sent == []


def test_100_kb_text_is_refused_as_too_long(client, session) -> None:
    response = client.post("/api/chat", json={"session": session, "text": "x" * 100_000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "text_too_long"


def test_oversized_body_is_refused_before_parsing(client, settings) -> None:
    body = b'{"session": "S", "text": "' + b"x" * (settings.web.max_body_bytes + 10) + b'"}'
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_rasa_down_gives_503_with_a_readable_reply_and_recovers(client, rasa, session) -> None:
    rasa.down = True
    response = client.post("/api/chat", json={"session": session, "text": "你好"})
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "assistant_unavailable"
    assert body["replies"][0]["text"]
    assert client.get("/healthz").status_code == 200
    rasa.down = False
    assert client.post("/api/chat", json={"session": session, "text": "hello"}).status_code == 200


def test_unavailable_message_is_in_the_users_language(client, rasa, strings, session) -> None:
    rasa.down = True
    body = {"session": session, "text": "bonjour", "language": "fr"}
    response = client.post("/api/chat", json=body)
    assert response.json()["replies"][0]["text"] == strings.get("service_unavailable", "fr")


def test_unknown_route_and_method_are_json_errors(client) -> None:
    assert client.get("/nope").json()["error"]["code"] == "not_found"
    assert client.get("/api/chat").json()["error"]["code"] == "method_not_allowed"


def test_widget_page_is_served(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert client.get("/widget.js").status_code == 200
