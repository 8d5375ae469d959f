"""Production mode with two gateway processes' apps on this machine's real PostgreSQL and
Redis (database 12, flushed; its pub/sub channels carry the number): the visitor's websocket is
on gateway A, staff work on gateway B, and the reply arrives: announced over Redis (the safety
poll is an hour), or, when B cannot reach Redis, by A's safety poll on the shared outbox. Two
staff on the two gateways cannot both take one request."""

import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis
from fastapi.testclient import TestClient

from bot.conversation import ConversationService
from bot.notify import Notifier
from bot.notify.redis_notifier import RedisNotifier
from bot.settings import Settings
from bot.staff import StaffAudit
from bot.staff.inbox import HandoffInbox
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.handoffs import HandoffQueue
from bot.web.app import create_app
from tests.fakes import FakeRasaClient
from tests.unit.staff.test_inbox import TaggingLanguageLayer

PASSWORD = "correct horse battery"
REDIS_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def database_url() -> Iterator[str]:
    name = f"talentdesk_staff_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://127.0.0.1:5432/test", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://127.0.0.1:5432/{name}"
    with psycopg.connect("postgresql://127.0.0.1:5432/test", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    redis.Redis.from_url(REDIS_URL).flushdb()
    return Settings(
        _env_file=None,
        mode="production",
        var_dir=tmp_path / "var",
        sessions={"secret": "p" * 40},
        storage={
            "database_url": database_url,
            "rasa_tracker_url": database_url,
            "redis_url": REDIS_URL,
        },
        # Only an announcement can deliver within the test.
        staff={"safety_poll_seconds": 3600, "delivery_interval_seconds": 3600},
        web={"rate_limit_per_ip": "100000/minute", "rate_limit_per_session": "100000/minute"},
    )


def gateway(settings, strings, registry, engine, notifier: Notifier | None = None) -> TestClient:
    notifier = notifier or RedisNotifier(REDIS_URL)
    inbox = HandoffInbox(engine, TaggingLanguageLayer(), strings, StaffAudit(engine), notifier)
    service = ConversationService(
        FakeRasaClient(), TaggingLanguageLayer(), strings, set(registry.codes), handoffs=inbox
    )
    # HTTPS, as behind the hall's proxy: in production mode the console cookie is Secure.
    return TestClient(
        create_app(settings, service=service),
        base_url="https://testserver",
        raise_server_exceptions=False,
    )


def staff_login(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/staff/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 204, response.text
    return {"X-CSRF-Token": client.get("/staff/api/me").json()["csrf_token"]}


def test_a_reply_written_on_gateway_b_reaches_the_visitor_on_gateway_a(
    settings, strings, registry
) -> None:
    engine = create_database_engine(settings.storage.database_url)
    ensure_schema(engine)
    try:
        with (
            gateway(settings, strings, registry, engine) as a,
            gateway(settings, strings, registry, engine) as b,
        ):
            b.app.state.staff_auth.accounts.add_user("li.wei", PASSWORD)
            b.app.state.staff_auth.accounts.add_user("wang.fang", PASSWORD)
            token = a.post("/api/session", json={"channel": "kiosk"}).json()["session"]
            sender_id = a.app.state.sessions.check(token).conversation_id
            request_id = HandoffQueue(engine).open_request(
                sender_id=sender_id,
                channel="kiosk",
                language="fr",
                transcript=[],
                during_opening_hours=True,
            )
            # Two staff members on the two gateways press "take" for the same request.
            li, wang = staff_login(b, "li.wei"), staff_login(a, "wang.fang")
            took_b = b.post(f"/staff/api/requests/{request_id}/take", headers=li)
            took_a = a.post(f"/staff/api/requests/{request_id}/take", headers=wang)
            assert sorted([took_a.status_code, took_b.status_code]) == [200, 409]

            frame = reply_on_b_arrives_on_a(a, b, token, request_id, li)
            assert frame["type"] == "staff"
            assert frame["replies"][0]["text"] == "[fr] 请到3号窗口"
    finally:
        engine.dispose()


def reply_on_b_arrives_on_a(a, b, token: str, request_id: int, csrf: dict[str, str]) -> dict:
    with a.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "session": token})
        assert socket.receive_json() == {"type": "hello"}
        reply = b.post(
            f"/staff/api/requests/{request_id}/reply",
            json={"text": "请到3号窗口", "language": "zh"},
            headers=csrf,
        )
        assert reply.status_code == 200, reply.text
        frame: dict = socket.receive_json()
    return frame


def test_when_b_cannot_reach_redis_a_s_safety_poll_delivers(settings, strings, registry) -> None:
    engine = create_database_engine(settings.storage.database_url)
    ensure_schema(engine)
    settings.staff.safety_poll_seconds = 0.05
    # B's announcement is lost (as while Redis restarts); the outbox row is not.
    lost = RedisNotifier("redis://127.0.0.1:1/12")
    try:
        with (
            gateway(settings, strings, registry, engine) as a,
            gateway(settings, strings, registry, engine, lost) as b,
        ):
            b.app.state.staff_auth.accounts.add_user("li.wei", PASSWORD)
            token = a.post("/api/session", json={"channel": "kiosk"}).json()["session"]
            sender_id = a.app.state.sessions.check(token).conversation_id
            request_id = HandoffQueue(engine).open_request(
                sender_id=sender_id,
                channel="kiosk",
                language="fr",
                transcript=[],
                during_opening_hours=True,
            )
            li = staff_login(b, "li.wei")
            assert b.post(f"/staff/api/requests/{request_id}/take", headers=li).status_code == 200
            frame = reply_on_b_arrives_on_a(a, b, token, request_id, li)
            assert frame["replies"][0]["text"] == "[fr] 请到3号窗口"
    finally:
        engine.dispose()
