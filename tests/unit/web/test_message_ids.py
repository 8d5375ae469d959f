"""Message ids over HTTP and the websocket: a re-sent message is answered once."""

from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from tests.unit.test_answered_messages import CountingRasa
from tests.unit.web.conftest import make_client, new_session

ID = "5f0c7a52-7d0e-4a53-9a39-3f1f0d5f2c11"


def counting_service(strings, registry, rasa: CountingRasa, timeout: float = 30.0):
    return ConversationService(
        rasa,
        NativeOnlyLanguageLayer(),
        strings,
        set(registry.codes),
        answer_timeout_seconds=timeout,
    )


def test_a_repeated_post_gets_the_same_answer_once(settings, strings, registry) -> None:
    rasa = CountingRasa()
    with make_client(settings, counting_service(strings, registry, rasa)) as client:
        session = new_session(client)
        first = client.post("/api/chat", json={"session": session, "text": "hi", "id": ID})
        again = client.post("/api/chat", json={"session": session, "text": "hi", "id": ID})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["id"] == ID
    assert len(rasa.sent) == 1


def test_a_message_resent_over_http_after_the_socket_dropped_is_answered_once(
    settings, strings, registry
) -> None:
    rasa = CountingRasa(delay=0.5)
    with make_client(settings, counting_service(strings, registry, rasa)) as client:
        session = new_session(client)
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"id": ID, "session": session, "text": "hi"})
            assert socket.receive_json() == {"type": "typing", "id": ID}
        # The socket is gone while its copy is still with Rasa: the page re-sends over HTTP.
        response = client.post("/api/chat", json={"session": session, "text": "hi", "id": ID})
    assert response.status_code == 200, response.text
    assert response.json()["replies"][0]["text"] == "answer 1"
    assert len(rasa.sent) == 1


def test_a_timed_out_turn_is_a_retryable_503_and_the_retry_does_not_double_it(
    settings, strings, registry
) -> None:
    rasa = CountingRasa(delay=0.5)
    service = counting_service(strings, registry, rasa, timeout=0.1)
    with make_client(settings, service) as client:
        session = new_session(client)
        first = client.post("/api/chat", json={"session": session, "text": "hi", "id": ID})
        assert first.status_code == 503
        assert first.json()["error"] == {
            "code": "assistant_unavailable",
            "message": first.json()["replies"][0]["text"],
            "retryable": True,
        }
        retry = first
        while retry.status_code == 503:  # the client retries with the same id
            retry = client.post("/api/chat", json={"session": session, "text": "hi", "id": ID})
    assert retry.status_code == 200
    assert retry.json()["replies"][0]["text"] == "answer 1"
    assert len(rasa.sent) == 1


def test_rasa_down_over_the_websocket_is_a_retryable_error_frame(
    settings, strings, registry
) -> None:
    rasa = CountingRasa()
    rasa.down = True
    client = make_client(settings, counting_service(strings, registry, rasa))
    with client, client.websocket_connect("/ws/chat") as socket:
        session = new_session(client)
        socket.send_json({"id": ID, "session": session, "text": "hi"})
        socket.receive_json()
        error = socket.receive_json()
        assert error["type"] == "error" and error["error"]["retryable"] is True
        rasa.down = False
        socket.send_json({"id": ID, "session": session, "text": "hi"})
        socket.receive_json()
        assert socket.receive_json()["replies"][0]["text"] == "answer 1"
    assert len(rasa.sent) == 1


def test_a_malformed_id_is_refused(settings, strings, registry) -> None:
    rasa = CountingRasa()
    with make_client(settings, counting_service(strings, registry, rasa)) as client:
        session = new_session(client)
        response = client.post("/api/chat", json={"session": session, "text": "hi", "id": "<x>"})
    assert response.status_code == 422
    assert rasa.sent == []
