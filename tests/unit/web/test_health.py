"""/healthz and /readyz."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.processes import free_port
from tests.unit.web.conftest import make_client, new_session


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 404)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_readyz_names_what_is_not_reachable(settings, service, rasa) -> None:
    settings.action_server.port = free_port()  # nothing listens there
    rasa.down = True
    with make_client(settings, service) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "not_ready",
        "checks": {"rasa": False, "action_server": False, "database": True},
    }


def test_readyz_is_ready_when_everything_answers(settings, service) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Health)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.action_server.port = server.server_address[1]
    settings.storage.redis_url = "redis://127.0.0.1:6379/13"
    try:
        with make_client(settings, service) as client:
            response = client.get("/readyz")
    finally:
        server.shutdown()
    assert response.status_code == 200, response.text
    assert response.json()["checks"] == {
        "rasa": True,
        "action_server": True,
        "database": True,
        "redis": True,
    }


def test_metrics_count_messages_stages_errors_and_open_handoffs(settings, service, rasa) -> None:
    with make_client(settings, service) as client:
        session = new_session(client)
        message = {"session": session, "text": "hello"}
        assert client.post("/api/chat", json=message).status_code == 200
        rasa.down = True
        assert client.post("/api/chat", json=message).status_code == 503
        body = client.get("/metrics").text
    assert 'talentdesk_messages_total{channel="web",language="en"} 1.0' in body
    assert 'talentdesk_stage_seconds_count{stage="rasa"} 2.0' in body
    assert 'talentdesk_stage_seconds_count{stage="turn"} 2.0' in body
    assert 'talentdesk_errors_total{kind="assistant_unavailable"} 1.0' in body
    assert "talentdesk_open_handoffs 0.0" in body
