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


def test_chat_returns_structured_replies(client) -> None:
    response = client.post("/api/chat", json={"user": "u1", "text": "hello"})
    assert response.status_code == 200
    body = response.json()
    assert body["user"] == "u1" and body["language"] == "en"
    assert body["replies"][0]["text"] == "Hello!"
    assert body["replies"][0]["language"] == "en"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b'{"text": "hello"}', 422, "invalid_request"),
        (b'{"user": "u1"}', 422, "invalid_request"),
        (b'{"user": "u1", "text": ""}', 422, "empty_text"),
        (b'{"user": "u1", "text": "   "}', 422, "empty_text"),
        (b'{"user": "u1", "text": 5}', 422, "invalid_request"),
        (b'{"user": "u1", "text": "hi", "channel": "telegram"}', 422, "invalid_request"),
        (b'{"user": "u1", "text": "hi", "extra": 1}', 422, "invalid_request"),
        (b'{"user": "u1", "text": "hi", "language": "xx"}', 422, "unsupported_language"),
        (b'["user", "text"]', 422, "invalid_request"),
        (b'{"user": "u1", "text": "hel', 400, "invalid_json"),
        (b"not json at all", 400, "invalid_json"),
        (b'{"user": "u1", "text": "\xff\xfe\x00binary"}', 400, "invalid_encoding"),
        (b'{"user": "u1", "text": "a\\u0000b"}', 422, "binary_text"),
        (b"", 400, "invalid_json"),
    ],
)
def test_bad_input_gets_a_clear_4xx(client, rasa, body: bytes, status: int, code: str) -> None:
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]
    assert rasa.sent == []


def test_100_kb_text_is_refused_as_too_long(client) -> None:
    response = client.post("/api/chat", json={"user": "u1", "text": "x" * 100_000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "text_too_long"


def test_oversized_body_is_refused_before_parsing(client, settings) -> None:
    body = b'{"user": "u1", "text": "' + b"x" * (settings.web.max_body_bytes + 10) + b'"}'
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "body_too_large"


def test_rasa_down_gives_503_with_a_readable_reply_and_recovers(client, rasa) -> None:
    rasa.down = True
    response = client.post("/api/chat", json={"user": "u1", "text": "你好"})
    assert response.status_code == 503
    body = response.json()
    assert body["error"]["code"] == "assistant_unavailable"
    assert body["replies"][0]["text"]
    assert client.get("/healthz").status_code == 200
    rasa.down = False
    assert client.post("/api/chat", json={"user": "u1", "text": "hello"}).status_code == 200


def test_unavailable_message_is_in_the_users_language(client, rasa, strings) -> None:
    rasa.down = True
    response = client.post("/api/chat", json={"user": "u2", "text": "bonjour", "language": "fr"})
    assert response.json()["replies"][0]["text"] == strings.get("service_unavailable", "fr")


def test_unknown_route_and_method_are_json_errors(client) -> None:
    assert client.get("/nope").json()["error"]["code"] == "not_found"
    assert client.get("/api/chat").json()["error"]["code"] == "method_not_allowed"


def test_widget_page_is_served(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and 'src="/widget.js"' in page.text
    assert client.get("/widget.js").status_code == 200
