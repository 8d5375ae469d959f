"""``/ws/chat``: the same turns as ``POST /api/chat``; bad frames get error frames."""

import json

import pytest

from tests.unit.web.conftest import new_session


@pytest.fixture
def kiosk(client) -> str:
    return new_session(client, "kiosk")


def _turn(socket) -> tuple[dict, dict]:
    return socket.receive_json(), socket.receive_json()


def test_a_message_gets_typing_then_the_same_turn_as_the_http_api(client, rasa, kiosk) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"id": "m1", "session": kiosk, "text": "hello"})
        typing, turn = _turn(socket)
    assert typing == {"type": "typing", "id": "m1"}
    assert turn["type"] == "turn" and turn["id"] == "m1"
    assert turn["language"] == "en"
    assert turn["replies"][0]["text"] == "Hello!"
    assert rasa.sent[0]["sender"] == f"kiosk:{kiosk.split('.')[1]}"
    http = client.post("/api/chat", json={"session": kiosk, "text": "hello"})
    assert http.json()["replies"] == turn["replies"]


def test_one_socket_carries_many_turns_with_their_ids(client, kiosk) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        for number in range(3):
            socket.send_json({"id": number, "session": kiosk, "text": f"question {number}"})
            typing, turn = _turn(socket)
            assert typing["id"] == number and turn["id"] == number


def test_bad_frames_get_error_frames_and_the_socket_stays_open(
    client, settings, rasa, kiosk
) -> None:
    oversized = json.dumps({"session": kiosk, "text": "x" * (settings.web.max_body_bytes + 1)})
    bad_frames = [
        ("text", "not json", "invalid_json"),
        ("text", "[1, 2]", "invalid_request"),
        ("text", json.dumps({"session": kiosk}), "invalid_request"),
        (
            "text",
            json.dumps({"session": kiosk, "text": "hi", "channel": "kiosk"}),
            "invalid_request",
        ),
        ("text", '{"user": "u3", "text": "hi"}', "invalid_request"),
        ("text", '{"session": "kiosk.x.1.y", "text": "hi"}', "invalid_session"),
        ("text", oversized, "frame_too_large"),
        ("bytes", b"\x00\x01\x02binary", "binary_frame"),
    ]
    with client.websocket_connect("/ws/chat") as socket:
        for kind, frame, code in bad_frames:
            if kind == "bytes":
                socket.send_bytes(frame)
            else:
                socket.send_text(frame)
            answer = socket.receive_json()
            assert answer["type"] == "error", frame
            assert answer["error"]["code"] == code
            assert answer["error"]["message"]
        # Rejected before Rasa, in the service: an error frame for that message's id.
        socket.send_json({"id": 7, "session": kiosk, "text": "   "})
        assert socket.receive_json()["type"] == "typing"
        empty = socket.receive_json()
        assert (empty["type"], empty["id"], empty["error"]["code"]) == ("error", 7, "empty_text")
        socket.send_json({"id": 8, "session": kiosk, "text": "still working?"})
        _, turn = _turn(socket)
    assert turn["type"] == "turn" and turn["replies"][0]["text"] == "Hello!"
    assert [sent["text"] for sent in rasa.sent] == ["still working?"]


def test_rasa_down_gives_a_localized_error_frame_and_recovers(client, rasa, strings, kiosk) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        rasa.down = True
        socket.send_json({"id": 1, "session": kiosk, "text": "bonjour", "language": "fr"})
        _, answer = _turn(socket)
        assert answer["error"]["code"] == "assistant_unavailable"
        assert answer["replies"][0]["text"] == strings.get("service_unavailable", "fr")
        rasa.down = False
        socket.send_json({"id": 2, "session": kiosk, "text": "bonjour", "language": "fr"})
        assert _turn(socket)[1]["type"] == "turn"


def test_an_unexpected_failure_is_an_error_frame_not_a_closed_socket(client, rasa, kiosk) -> None:
    async def broken(*_: object) -> list[dict]:
        raise RuntimeError("a bug")

    original = rasa.send
    rasa.send = broken
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"id": 1, "session": kiosk, "text": "hello"})
        _, answer = _turn(socket)
        assert answer["error"]["code"] == "internal_error" and answer["replies"][0]["text"]
        rasa.send = original
        socket.send_json({"id": 2, "session": kiosk, "text": "hello"})
        assert _turn(socket)[1]["type"] == "turn"
