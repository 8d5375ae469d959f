"""The inbox over HTTP and the websocket: take, route, reply, push, reconnect, hand back."""

import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.conversation import ConversationService
from bot.staff import StaffAudit
from bot.staff.inbox import HandoffInbox
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.handoffs import HandoffQueue
from tests.fakes import FakeRasaClient
from tests.unit.staff.test_inbox import TaggingLanguageLayer
from tests.unit.web.conftest import make_client, new_session

PASSWORD = "correct horse battery"


def wait_until(condition, timeout: float = 30.0) -> bool:
    """Polls ``condition`` until it is true (False after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def engine(settings):
    engine = create_database_engine(settings.storage.database_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def rasa() -> FakeRasaClient:
    return FakeRasaClient([{"text": "from Rasa"}])


@pytest.fixture
def client(settings, strings, registry, engine, rasa):
    inbox = HandoffInbox(engine, TaggingLanguageLayer(), strings, StaffAudit(engine))
    service = ConversationService(
        rasa, TaggingLanguageLayer(), strings, set(registry.codes), handoffs=inbox
    )
    with make_client(settings, service) as client:
        auth = client.app.state.staff_auth
        auth.accounts.add_user("li.wei", PASSWORD)
        auth.accounts.add_user("wang.fang", PASSWORD)
        yield client


def staff_login(client, username: str = "li.wei") -> dict[str, str]:
    response = client.post("/staff/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 204
    return {"X-CSRF-Token": client.get("/staff/api/me").json()["csrf_token"]}


def kiosk_visitor_asks_for_a_person(client, engine) -> tuple[str, int]:
    token = new_session(client, "kiosk")
    sender_id = client.app.state.sessions.check(token).conversation_id
    request_id = HandoffQueue(engine).open_request(
        sender_id=sender_id,
        channel="kiosk",
        language="fr",
        transcript=[{"role": "user", "text": "Un humain", "rendering": "A human"}],
        during_opening_hours=True,
    )
    return token, request_id


def test_the_inbox_lists_open_requests_and_one_staff_member_takes_each(client, engine) -> None:
    _, request_id = kiosk_visitor_asks_for_a_person(client, engine)
    csrf = staff_login(client)
    [listed] = client.get("/staff/api/requests").json()
    assert (listed["id"], listed["language"], listed["channel"]) == (request_id, "fr", "kiosk")
    assert listed["status"] == "open" and listed["waiting_seconds"] >= 0
    assert listed["preview"] == "Un humain"
    assert client.post(f"/staff/api/requests/{request_id}/take", headers=csrf).status_code == 200
    csrf = staff_login(client, "wang.fang")
    response = client.post(f"/staff/api/requests/{request_id}/take", headers=csrf)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "already_taken"
    response = client.post(
        f"/staff/api/requests/{request_id}/reply",
        json={"text": "hi", "language": "en"},
        headers=csrf,
    )
    assert response.status_code == 409  # not hers
    assert client.post("/staff/api/requests/99999/take", headers=csrf).status_code == 404


def test_live_conversation_between_a_kiosk_visitor_and_staff(client, engine, rasa) -> None:
    token, request_id = kiosk_visitor_asks_for_a_person(client, engine)
    csrf = staff_login(client)
    client.post(f"/staff/api/requests/{request_id}/take", headers=csrf)
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "session": token})
        assert socket.receive_json() == {"type": "hello"}
        hostile = "请到3号窗口 <script>alert(1)</script>"
        response = client.post(
            f"/staff/api/requests/{request_id}/reply",
            json={"text": hostile, "language": "zh"},
            headers=csrf,
        )
        assert response.status_code == 200, response.text
        frame = socket.receive_json()
        assert frame["type"] == "staff"
        [reply] = frame["replies"]
        # Staff text travels as text, never as markup; the pages render it with textContent.
        assert reply["text"] == f"[fr] {hostile}"
        assert (reply["language"], reply["kind"], reply["machine_translated"]) == (
            "fr",
            "staff",
            True,
        )
        assert reply["buttons"][0]["payload"] == "/back_to_assistant"

        # The visitor answers over the socket: staff get it, Rasa does not.
        socket.send_json({"id": "m1", "session": token, "text": "Merci", "language": "fr"})
        assert socket.receive_json()["type"] == "typing"
        answer = socket.receive_json()
        assert (answer["type"], answer["replies"]) == ("turn", [])
    assert rasa.sent == []
    detail = client.get(f"/staff/api/requests/{request_id}").json()
    assert detail["transcript"][0] == {"role": "user", "text": "Un humain", "rendering": "A human"}
    staff_line, user_line = detail["messages"]
    assert (staff_line["role"], staff_line["text"], staff_line["delivered"]) == (
        "staff",
        hostile,
        True,
    )
    assert (user_line["role"], user_line["text"], user_line["rendering"]) == (
        "user",
        "Merci",
        "[en] Merci",
    )


def test_a_reply_waits_for_the_visitor_to_reconnect(client, engine) -> None:
    token, request_id = kiosk_visitor_asks_for_a_person(client, engine)
    csrf = staff_login(client)
    client.post(f"/staff/api/requests/{request_id}/take", headers=csrf)
    response = client.post(
        f"/staff/api/requests/{request_id}/reply",
        json={"text": "Wait for me at counter 3", "language": "en"},
        headers=csrf,
    )
    assert response.json()["delivered"] is False
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "session": token})
        assert socket.receive_json() == {"type": "hello"}
        frame = socket.receive_json()
        assert frame["replies"][0]["text"] == "[fr] Wait for me at counter 3"
        # Marked delivered right after the push (never before: a lost push is sent again).
        # Waited for with the socket open: a visitor who leaves between the push and the mark
        # gets the reply again on the next hello, which is the at-least-once contract.
        assert wait_until(
            lambda: client.get(f"/staff/api/requests/{request_id}").json()["messages"][0][
                "delivered"
            ]
        )


def test_a_hello_with_a_bad_session_is_refused(client) -> None:
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "session": "kiosk.forged"})
        assert socket.receive_json()["error"]["code"] == "invalid_session"
        socket.send_json({"type": "hello", "session": "x", "extra": 1})
        assert socket.receive_json()["error"]["code"] == "invalid_request"


def test_closing_hands_the_conversation_back_to_the_assistant(client, engine, rasa) -> None:
    token, request_id = kiosk_visitor_asks_for_a_person(client, engine)
    csrf = staff_login(client)
    client.post(f"/staff/api/requests/{request_id}/take", headers=csrf)
    assert (
        client.post("/api/chat", json={"session": token, "text": "Allô ?"}).json()["replies"] == []
    )
    response = client.post(f"/staff/api/requests/{request_id}/close", headers=csrf)
    assert response.json()["status"] == "closed"
    assert client.post(f"/staff/api/requests/{request_id}/close", headers=csrf).status_code == 409
    client.post("/api/chat", json={"session": token, "text": "Allô ?"})
    assert len(rasa.sent) == 1
    assert client.get("/staff/api/requests").json() == []


def test_quick_replies_search_the_knowledge_base_and_send_an_answer(client, engine) -> None:
    _, request_id = kiosk_visitor_asks_for_a_person(client, engine)
    csrf = staff_login(client)
    hits = client.get("/staff/api/knowledge", params={"q": "police registration"}).json()
    assert "police-registration-private-housing" in [hit["id"] for hit in hits]
    chinese = client.get("/staff/api/knowledge", params={"q": "住宿登记"}).json()
    assert any(hit["id"].startswith("police-registration") for hit in chinese)
    assert client.get("/staff/api/knowledge", params={"q": "<script>"}).json() == []

    entry = {"entry_id": "police-registration-private-housing"}
    url = f"/staff/api/requests/{request_id}/quick-reply"
    assert client.post(url, json=entry, headers=csrf).status_code == 409  # not taken yet
    client.post(f"/staff/api/requests/{request_id}/take", headers=csrf)
    message = client.post(url, json=entry, headers=csrf).json()
    entries = client.app.state.staff_knowledge
    answers = entries.get("police-registration-private-housing").answers
    # The entry has no French answer: its English one, machine-translated for the visitor.
    assert "fr" not in answers
    assert (message["text"], message["language"]) == (answers["en"], "en")
    assert message["rendering"] == f"[fr] {answers['en']}"
    assert message["machine_translated"] is True
    missing = client.post(url, json={"entry_id": "no-such-entry"}, headers=csrf)
    assert missing.status_code == 404
    assert client.post(url, json={"entry_id": "../etc"}, headers=csrf).status_code == 422


@pytest.fixture
def knowledge_client(settings, service, tmp_path):
    import shutil

    from tests.conftest import PROJECT_ROOT

    folder = tmp_path / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", folder, ignore=shutil.ignore_patterns("articles"))
    settings.knowledge.folder = folder
    with make_client(settings, service) as client:
        client.app.state.staff_auth.accounts.add_user("li.wei", PASSWORD)
        yield client


def test_a_missed_question_becomes_knowledge_from_the_console(knowledge_client, engine) -> None:
    from datetime import UTC, datetime

    from bot.storage.unanswered import UnansweredLog, UnansweredQuestion

    client = knowledge_client
    UnansweredLog(engine).record(
        UnansweredQuestion(
            datetime.now(UTC),
            "Must I see the police on day one?",
            "en",
            "web",
            "web:x",
            "police-registration-24-hours",
            0.2,
            "low_confidence",
        )
    )
    csrf = staff_login(client)
    missed = client.get("/staff/api/missed").json()
    [group] = missed["groups"]
    assert (group["entry_id"], group["language"], group["count"]) == (
        "police-registration-24-hours",
        "en",
        1,
    )
    assert missed["per_week"][-1]["count"] == 1 and len(missed["per_week"]) == 8
    [example] = group["examples"]
    url = f"/staff/api/missed/{example['id']}/add-question"
    body = {"entry_id": "police-registration-24-hours"}
    assert client.post(url, json=body).status_code == 403  # no CSRF token
    response = client.post(url, json=body, headers=csrf)
    assert response.status_code == 200, response.text
    entry = client.app.state.staff_knowledge.get("police-registration-24-hours")
    assert "Must I see the police on day one?" in entry.questions["en"]

    draft = {
        "id": "community-hall-wifi",
        "category": "community",
        "title_en": "Wi-Fi",
        "title_zh": "无线网络",
        "questions_en": ["Is there wifi?"],
        "questions_zh": ["有WiFi吗？", "WiFi密码？"],
        "answer_en": "Yes.",
        "answer_zh": "有。",
        "source_name": "Front desk",
    }
    refused = client.post("/staff/api/knowledge/entries", json=draft, headers=csrf)
    assert refused.status_code == 422
    assert "at least two ways" in refused.json()["error"]["message"]
    draft["questions_en"] = ["Is there wifi?", "What is the wifi password?"]
    saved = client.post("/staff/api/knowledge/entries", json=draft, headers=csrf)
    assert saved.json() == {
        "entry_id": "community-hall-wifi",
        "file": "community/community-hall-wifi.md",
    }
    actions = [e.action for e in client.app.state.staff_auth.audit.recent(3)]
    assert actions == ["create_entry", "add_question", "login"]


def test_a_message_left_outside_opening_hours_is_listed(client, engine) -> None:
    queue = HandoffQueue(engine)
    request_id = queue.open_request(
        sender_id="telegram:1",
        channel="telegram",
        language="en",
        transcript=[],
        during_opening_hours=False,
    )
    queue.leave_message(request_id, "Please call me back <b>tomorrow</b>")
    staff_login(client)
    [listed] = client.get("/staff/api/requests").json()
    assert listed["during_opening_hours"] is False
    assert listed["message"] == "Please call me back <b>tomorrow</b>"


def test_the_kiosk_wipe_stops_pushes_to_its_open_socket(client, engine) -> None:
    token, _ = kiosk_visitor_asks_for_a_person(client, engine)
    sender_id = client.app.state.sessions.check(token).conversation_id
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "session": token})
        assert socket.receive_json() == {"type": "hello"}
        assert sender_id in client.app.state.live.connected()
        assert client.post("/api/forget", json={"session": token}).status_code == 204
        # The socket stays open for the next visitor, but no longer listens for the last one.
        assert sender_id not in client.app.state.live.connected()


def test_the_console_s_live_view_hears_the_visitor_at_once(
    settings, strings, registry, engine
) -> None:
    # The safety poll is an hour: only the in-process notice can bring the message in time.
    settings.staff.safety_poll_seconds = 3600
    inbox = HandoffInbox(engine, TaggingLanguageLayer(), strings, StaffAudit(engine))
    service = ConversationService(
        FakeRasaClient(), TaggingLanguageLayer(), strings, set(registry.codes), handoffs=inbox
    )
    with make_client(settings, service) as client:
        client.app.state.staff_auth.accounts.add_user("li.wei", PASSWORD)
        token, request_id = kiosk_visitor_asks_for_a_person(client, engine)
        csrf = staff_login(client)
        client.post(f"/staff/api/requests/{request_id}/take", headers=csrf)
        with client.stream("GET", f"/staff/api/requests/{request_id}/events") as events:
            lines = events.iter_lines()
            assert next(lines) == "event: status"
            with client.websocket_connect("/ws/chat") as socket:
                socket.send_json({"id": "m1", "session": token, "text": "Merci", "language": "fr"})
                assert socket.receive_json()["type"] == "typing"
                assert socket.receive_json()["type"] == "turn"
            seen = [next(lines) for _ in range(4)]
        assert "event: message" in seen
        [data] = [line for line in seen if line.startswith("data:") and "Merci" in line]
        assert '"role": "user"' in data


def test_messages_left_outside_opening_hours_form_a_queue_for_the_next_working_day(
    client, engine
) -> None:
    queue = HandoffQueue(engine)
    saturday = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    token = new_session(client, "kiosk")
    sender_id = client.app.state.sessions.check(token).conversation_id
    left = queue.open_request(
        sender_id=sender_id,
        channel="kiosk",
        language="fr",
        transcript=[],
        during_opening_hours=False,
        now=saturday,
    )
    queue.leave_message(left, "Mon dossier est-il prêt ?")
    later = queue.open_request(
        sender_id="kiosk:other",
        channel="kiosk",
        language="en",
        transcript=[],
        during_opening_hours=False,
        now=saturday + timedelta(hours=30),  # Sunday
    )
    queue.open_request(
        sender_id="kiosk:open-hours",
        channel="kiosk",
        language="en",
        transcript=[],
        during_opening_hours=True,
    )
    csrf = staff_login(client)
    listed = client.get("/staff/api/requests", params={"queue": "after_hours"}).json()
    # Oldest first, each with the day the hall next opens after it was left (a Monday).
    assert [(r["id"], r["answer_on"]) for r in listed] == [
        (left, "2026-12-07"),
        (later, "2026-12-07"),
    ]
    assert listed[0]["message"] == "Mon dossier est-il prêt ?"
    assert len(client.get("/staff/api/requests").json()) == 3
    assert client.get("/staff/api/requests", params={"queue": "x"}).status_code == 422

    # Answered on Monday; the visitor's page gets it the next time it connects.
    assert client.post(f"/staff/api/requests/{left}/take", headers=csrf).status_code == 200
    response = client.post(
        f"/staff/api/requests/{left}/reply",
        json={"text": "Oui, passez au guichet 3", "language": "en"},
        headers=csrf,
    )
    assert response.status_code == 200
    with client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello", "session": token})
        assert socket.receive_json() == {"type": "hello"}
        frame = socket.receive_json()
    assert frame["replies"][0]["text"] == "[fr] Oui, passez au guichet 3"
