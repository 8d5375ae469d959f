"""``/ws/chat``: the same turns as ``POST /api/chat``; bad frames get error frames."""

import json


def _turn(socket) -> tuple[dict, dict]:
    return socket.receive_json(), socket.receive_json()


def test_a_message_gets_typing_then_the_same_turn_as_the_http_api(client, rasa) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"id": "m1", "user": "u1", "text": "hello", "channel": "kiosk"})
        typing, turn = _turn(socket)
    assert typing == {"type": "typing", "id": "m1"}
    assert turn["type"] == "turn" and turn["id"] == "m1" and turn["user"] == "u1"
    assert turn["language"] == "en"
    assert turn["replies"][0]["text"] == "Hello!"
    assert rasa.sent[0]["sender"] == "kiosk:u1"
    http = client.post("/api/chat", json={"user": "u1", "text": "hello", "channel": "kiosk"})
    assert http.json()["replies"] == turn["replies"]


def test_one_socket_carries_many_turns_with_their_ids(client) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        for number in range(3):
            socket.send_json({"id": number, "user": "u2", "text": f"question {number}"})
            typing, turn = _turn(socket)
            assert typing["id"] == number and turn["id"] == number


def test_bad_frames_get_error_frames_and_the_socket_stays_open(client, settings, rasa) -> None:
    oversized = json.dumps({"user": "u3", "text": "x" * (settings.web.max_body_bytes + 1)})
    bad_frames = [
        ("text", "not json", "invalid_json"),
        ("text", "[1, 2]", "invalid_request"),
        ("text", '{"user": "u3"}', "invalid_request"),
        ("text", '{"user": "u3", "text": "hi", "channel": "telegram"}', "invalid_request"),
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
        socket.send_json({"id": 7, "user": "u3", "text": "   "})
        assert socket.receive_json()["type"] == "typing"
        empty = socket.receive_json()
        assert (empty["type"], empty["id"], empty["error"]["code"]) == ("error", 7, "empty_text")
        socket.send_json({"id": 8, "user": "u3", "text": "still working?"})
        _, turn = _turn(socket)
    assert turn["type"] == "turn" and turn["replies"][0]["text"] == "Hello!"
    assert [sent["text"] for sent in rasa.sent] == ["still working?"]


def test_rasa_down_gives_a_localized_error_frame_and_recovers(client, rasa, strings) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        rasa.down = True
        socket.send_json({"id": 1, "user": "u4", "text": "bonjour", "language": "fr"})
        _, answer = _turn(socket)
        assert answer["error"]["code"] == "assistant_unavailable"
        assert answer["replies"][0]["text"] == strings.get("service_unavailable", "fr")
        rasa.down = False
        socket.send_json({"id": 2, "user": "u4", "text": "bonjour", "language": "fr"})
        assert _turn(socket)[1]["type"] == "turn"


def test_an_unexpected_failure_is_an_error_frame_not_a_closed_socket(client, rasa) -> None:
    async def broken(*_: object) -> list[dict]:
        raise RuntimeError("a bug")

    original = rasa.send
    rasa.send = broken
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"id": 1, "user": "u5", "text": "hello"})
        _, answer = _turn(socket)
        assert answer["error"]["code"] == "internal_error" and answer["replies"][0]["text"]
        rasa.send = original
        socket.send_json({"id": 2, "user": "u5", "text": "hello"})
        assert _turn(socket)[1]["type"] == "turn"
