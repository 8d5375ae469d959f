"""Server-issued sessions, the wipe through the API, rate limits and the websocket's Origin."""

import logging
import time
from datetime import date, timedelta

import pytest
from starlette.websockets import WebSocketDisconnect

from bot.storage.bookings import BookingBook
from bot.storage.database import create_database_engine
from bot.storage.unanswered import UnansweredLog, UnansweredQuestion, now
from tests.unit.web.conftest import make_client, new_session


def conversation_of(token: str) -> str:
    channel, session_id = token.split(".")[:2]
    return f"{channel}:{session_id}"


def test_a_session_is_signed_and_names_its_own_conversation(client, rasa) -> None:
    first, second = new_session(client), new_session(client, "kiosk")
    assert first != second and first.startswith("web.") and second.startswith("kiosk.")
    client.post("/api/chat", json={"session": first, "text": "hello"})
    assert rasa.sent[-1]["sender"] == conversation_of(first)
    # Changing any part of a token (here: the id, to name another conversation) breaks it.
    channel, _, expiry, signature = first.split(".")
    forged = ".".join([channel, second.split(".")[1], expiry, signature])
    answer = client.post("/api/chat", json={"session": forged, "text": "hello"})
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "invalid_session"
    assert len(rasa.sent) == 1


@pytest.mark.parametrize(
    "route", ["/api/chat", "/api/language", "/api/forget", "/api/continuation"]
)
def test_every_conversation_route_needs_a_session(client, route) -> None:
    body = {"session": "web.AAAAAAAAAAAAAAAAAAAAAAAA.9999999999.AAAAAAAAAAAAAAAAAAAAAA"}
    body |= {"text": "hi"} if route == "/api/chat" else {}
    body |= {"language": "fr"} if route == "/api/language" else {}
    answer = client.post(route, json=body)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "invalid_session"


def test_an_expired_session_is_refused(settings, service) -> None:
    settings.sessions.kiosk_lifetime_hours = 1
    with make_client(settings, service) as client:
        token = new_session(client, "kiosk")
        sessions = client.app.state.sessions
        later = sessions.check(token).expires_at + timedelta(seconds=1)
        with pytest.raises(Exception, match="expired"):
            sessions.check(token, now=later)


def test_a_second_session_cannot_touch_the_first_ones_conversation(client, settings) -> None:
    first, second = new_session(client, "kiosk"), new_session(client, "kiosk")
    client.post("/api/language", json={"session": first, "language": "fr"})
    engine = create_database_engine(settings.storage.database_url)
    book = BookingBook(engine, 2)
    booking = book.book(
        sender_id=conversation_of(first),
        channel="kiosk",
        language="fr",
        service="work_permit",
        day=date.today() + timedelta(days=3),
        slot="10:00",
    )
    # The second session's conversation is its own: another language, no bookings.
    turn = client.post("/api/chat", json={"session": second, "text": "你好"}).json()
    assert turn["language"] == "zh"
    assert book.upcoming_for(conversation_of(second), date.today()) == []
    # Its continuation token continues its own conversation, never the first one.
    issued = client.post("/api/continuation", json={"session": second}).json()
    redeemed = client.app.state.continuations.redeem(issued["token"], "telegram:1")
    assert redeemed.conversation_id == conversation_of(second)
    # Wiping the second session leaves the first untouched.
    assert client.post("/api/forget", json={"session": second}).status_code == 204
    assert book.get(booking.code) is not None
    assert (
        client.post("/api/chat", json={"session": first, "text": "你好"}).json()["language"] == "fr"
    )
    engine.dispose()


def test_the_wipe_erases_the_conversations_rows_and_ends_the_session(client, settings) -> None:
    token = new_session(client, "kiosk")
    engine = create_database_engine(settings.storage.database_url)
    UnansweredLog(engine).record(
        UnansweredQuestion(
            now(), "MARKER-E12345678", "en", "kiosk", conversation_of(token), None, None, "no_match"
        )
    )
    assert client.post("/api/forget", json={"session": token}).status_code == 204
    assert UnansweredLog(engine).recent() == []
    again = client.post("/api/forget", json={"session": token})
    assert again.status_code == 401 and again.json()["error"]["code"] == "session_ended"
    engine.dispose()


def test_rate_limits_answer_429_with_retry_after_then_recover(settings, service, strings) -> None:
    settings.web.rate_limit_per_session = "3/second"
    with make_client(settings, service) as client:
        token = new_session(client)
        body = {"session": token, "text": "bonjour", "language": "fr"}
        codes = [client.post("/api/chat", json=body).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        refused = client.post("/api/chat", json=body)
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate_limited"
        assert refused.json()["replies"][0]["text"] == strings.get("rate_limited", "fr")
        retry_after = int(refused.headers["retry-after"])
        assert retry_after >= 1
        # Another session from the same address is not held up by this one's limit.
        assert (
            client.post(
                "/api/chat", json={"session": new_session(client), "text": "hi"}
            ).status_code
            == 200
        )
        time.sleep(retry_after + 0.1)
        assert client.post("/api/chat", json=body).status_code == 200


def test_the_per_address_limit_spans_sessions_and_the_websocket(settings, service) -> None:
    settings.web.rate_limit_per_ip = "5/minute"
    with make_client(settings, service) as client:
        sessions = [new_session(client) for _ in range(3)]  # three of the five
        assert (
            client.post("/api/chat", json={"session": sessions[0], "text": "hi"}).status_code == 200
        )
        assert (
            client.post("/api/chat", json={"session": sessions[1], "text": "hi"}).status_code == 200
        )
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"id": 1, "session": sessions[2], "text": "hi"})
            answer = socket.receive_json()
        assert answer["type"] == "error" and answer["error"]["code"] == "rate_limited"
        assert answer["retry_after"] >= 1 and answer["replies"][0]["text"]


def test_a_websocket_from_a_foreign_origin_is_refused(settings, service) -> None:
    settings.web.widget_origins = ["https://hall.example"]
    with make_client(settings, service) as client:
        foreign = {"origin": "https://evil.example"}
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect("/ws/chat", headers=foreign),
        ):
            pass
        assert refused.value.code == 1008
        token = new_session(client)
        for origin in ("https://hall.example", "http://testserver"):  # listed, and same origin
            with client.websocket_connect("/ws/chat", headers={"origin": origin}) as socket:
                socket.send_json({"id": 1, "session": token, "text": "hi"})
                assert socket.receive_json()["type"] == "typing"
                assert socket.receive_json()["type"] == "turn"


def test_open_websockets_per_address_are_capped(settings, service) -> None:
    settings.web.max_websockets_per_ip = 2
    with make_client(settings, service) as client:
        with client.websocket_connect("/ws/chat"), client.websocket_connect("/ws/chat"):
            with (
                pytest.raises(WebSocketDisconnect) as refused,
                client.websocket_connect("/ws/chat"),
            ):
                pass
            assert refused.value.code == 1008
        # Closing one frees its place.
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"id": 1, "session": new_session(client), "text": "hi"})
            assert socket.receive_json()["type"] == "typing"


def test_no_user_text_reaches_the_gateways_log(client, rasa, caplog) -> None:
    """Rasa answering oddly or failing is logged, but never with what the user wrote."""
    marker = "PASSPORT-L55544433"
    token = new_session(client)
    caplog.set_level(logging.INFO)
    rasa.answers = [{"unknown": f"you said {marker}"}, {"text": f"you said {marker}"}]
    client.post("/api/chat", json={"session": token, "text": f"my passport {marker}"})
    rasa.down = True
    client.post("/api/chat", json={"session": token, "text": f"again {marker}"})
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"id": 1, "session": token, "text": f"socket {marker}"})
        socket.receive_json(), socket.receive_json()
    assert "unknown shape" in caplog.text and "unavailable" in caplog.text
    assert marker not in caplog.text


def test_new_sessions_count_against_the_address(settings, service) -> None:
    settings.web.rate_limit_per_ip = "2/minute"
    with make_client(settings, service) as client:
        new_session(client), new_session(client)
        refused = client.post("/api/session", json={"channel": "web"})
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
