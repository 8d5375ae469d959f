"""The kiosk's routes: configuration, language choice, wipe, continuation QR, pages."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.storage.continuation import ContinuationTokens
from bot.storage.database import create_database_engine
from bot.web.continuation import deep_link, qr_svg
from bot.web.pages import CONTENT_SECURITY_POLICY, STATIC_DIR
from tests.unit.web.conftest import make_client, new_session


@pytest.fixture
def kiosk(client) -> str:
    return new_session(client, "kiosk")


def test_config_has_the_idle_settings_and_32_languages_in_their_own_names(client) -> None:
    config = client.get("/api/config").json()
    assert config["kiosk_idle_seconds"] == 45
    assert config["kiosk_idle_warning_seconds"] == 10
    assert config["continue_on_phone"] is True
    assert len(config["languages"]) == 32
    by_code = {entry["code"]: entry for entry in config["languages"]}
    assert by_code["zh"]["native"] == "简体中文"
    assert {code for code, entry in by_code.items() if entry["direction"] == "rtl"} == {
        "ar",
        "fa",
        "ur",
        "he",
    }


def test_the_warning_never_exceeds_the_idle_time(settings, service) -> None:
    settings.web.kiosk_idle_seconds = 5
    settings.web.kiosk_idle_warning_seconds = 30
    with make_client(settings, service) as client:
        assert client.get("/api/config").json()["kiosk_idle_warning_seconds"] == 5


def test_a_picked_language_is_sticky_and_confirmed_in_that_language(
    client, rasa, strings, kiosk
) -> None:
    picked = client.post("/api/language", json={"session": kiosk, "language": "ar"})
    assert picked.status_code == 200
    body = picked.json()
    assert body["direction"] == "rtl"
    assert body["reply"]["text"] == strings.get("language_changed", "ar")
    # A Chinese message would be detected as Chinese, but the explicit choice wins.
    turn = client.post("/api/chat", json={"session": kiosk, "text": "你好"})
    assert turn.json()["language"] == "ar"
    assert rasa.sent[-1]["metadata"]["language"] == "ar"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"session": "K", "language": "xx"}, "unsupported_language"),
        ({"session": "K"}, "invalid_request"),
        ({"session": "", "language": "en"}, "invalid_request"),
        ({"session": "K", "language": "en", "channel": "kiosk"}, "invalid_request"),
        ({"user": "k1", "language": "en"}, "invalid_request"),
    ],
)
def test_a_bad_language_choice_is_a_clear_422(client, body, code, kiosk) -> None:
    body = {key: kiosk if value == "K" else value for key, value in body.items()}
    response = client.post("/api/language", json=body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_forget_drops_the_remembered_choice(client, kiosk) -> None:
    client.post("/api/language", json={"session": kiosk, "language": "de"})
    assert client.post("/api/forget", json={"session": kiosk}).status_code == 204
    # The wipe ended the session; the next visitor's session starts with no language.
    ended = client.post("/api/chat", json={"session": kiosk, "text": "你好吗"})
    assert ended.status_code == 401 and ended.json()["error"]["code"] == "session_ended"
    turn = client.post(
        "/api/chat", json={"session": new_session(client, "kiosk"), "text": "你好吗"}
    )
    assert turn.json()["language"] == "zh"
    bad = client.post("/api/forget", content=b"{", headers={"content-type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_json"


def test_a_continuation_token_redeems_to_this_kiosk_conversation(client, settings, kiosk) -> None:
    client.post("/api/language", json={"session": kiosk, "language": "fr"})
    issued = client.post("/api/continuation", json={"session": kiosk}).json()
    token = issued["token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token)
    assert issued["url"] == f"https://t.me/TalentDeskTestBot?start={token}"
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    tokens = ContinuationTokens(engine)
    continuation = tokens.redeem(token, "telegram:42")
    assert continuation.conversation_id == f"kiosk:{kiosk.split('.')[1]}"
    assert continuation.language == "fr"
    assert tokens.redeem(token, "telegram:43") is None  # single use
    engine.dispose()


def test_the_qr_code_is_an_svg_of_the_deep_link(client, kiosk) -> None:
    issued = client.post("/api/continuation", json={"session": kiosk}).json()
    response = client.get(issued["qr"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.headers["cache-control"] == "no-store"
    assert response.content.lstrip().startswith(b"<?xml") and b"<svg" in response.content
    assert response.content == qr_svg(deep_link("TalentDeskTestBot", issued["token"]))
    assert qr_svg(deep_link("TalentDeskTestBot", "other")) != response.content


def test_a_malformed_token_is_refused(client) -> None:
    response = client.get("/api/continuation/bad%20token!.svg")
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_token"


def test_without_a_bot_username_there_is_no_continuation(settings, service) -> None:
    with make_client(settings, service) as client:
        assert client.get("/api/config").json()["continue_on_phone"] is False
        response = client.post("/api/continuation", json={"session": new_session(client, "kiosk")})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "continuation_unavailable"
        assert "BOT_USERNAME" in response.json()["error"]["message"]


def test_an_expired_token_does_not_redeem(settings) -> None:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    from bot.storage.database import ensure_schema

    ensure_schema(engine)
    tokens = ContinuationTokens(engine, lifetime=timedelta(minutes=1))
    token = tokens.issue("kiosk:k6", "en", now=datetime.now(UTC) - timedelta(minutes=2))
    assert tokens.redeem(token, "telegram:1") is None
    engine.dispose()


@pytest.mark.parametrize("path", ["/kiosk", "/"])
def test_pages_forbid_inline_scripts(client, path) -> None:
    page = client.get(path)
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    # No inline script or handler attribute that the policy would have to allow.
    assert not re.search(r"<script(?![^>]*\bsrc=)", page.text)
    assert not re.search(r"\son[a-z]+=", page.text)


def test_the_widget_is_one_script_with_the_shared_chat_code(client) -> None:
    script = client.get("/widget.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "TalentDeskCore" in script.text and "attachShadow" in script.text
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")


def test_no_script_builds_html_from_strings() -> None:
    for path in STATIC_DIR.glob("*.js"):
        code = path.read_text(encoding="utf-8")
        assert not re.search(r"\.(inner|outer)HTML\s*=|insertAdjacentHTML|document\.write", code), (
            path
        )


def test_other_pages_may_call_the_api(client) -> None:
    preflight = client.options(
        "/api/chat",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://example.org")


def test_the_bot_username_setting_is_validated(settings) -> None:
    from pydantic import ValidationError

    from bot.settings import TelegramSettings

    assert TelegramSettings(bot_username="TalentDeskBot").bot_username == "TalentDeskBot"
    with pytest.raises(ValidationError):
        TelegramSettings(bot_username="bad name/../x")
