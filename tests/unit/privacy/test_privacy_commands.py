"""``python -m bot privacy purge|forget`` and the gateway's own purge at start-up."""

from datetime import timedelta

import pytest

from bot.cli import main
from bot.conversation import ConversationService
from bot.language.layer import NativeOnlyLanguageLayer
from bot.storage.database import create_database_engine, ensure_schema
from tests.fakes import FakeRasaClient
from tests.unit.privacy.scenario import create_rasa_events_table, fill, now, rows_mentioning
from tests.unit.web.conftest import make_client


@pytest.fixture
def stores(tmp_path, monkeypatch):
    app_url, tracker_url = f"sqlite:///{tmp_path}/app.db", f"sqlite:///{tmp_path}/tracker.db"
    monkeypatch.setenv("TALENTDESK_STORAGE__DATABASE_URL", app_url)
    monkeypatch.setenv("TALENTDESK_STORAGE__RASA_TRACKER_URL", tracker_url)
    monkeypatch.setenv("TALENTDESK_VAR_DIR", str(tmp_path / "var"))
    app, tracker = create_database_engine(app_url), create_database_engine(tracker_url)
    ensure_schema(app)
    create_rasa_events_table(tracker)
    yield app, tracker
    app.dispose()
    tracker.dispose()


def test_purge_command_deletes_old_and_prints_what(stores, capsys) -> None:
    app, tracker = stores
    fill(app, tracker, "web:OLD", "OLD-CLI", now() - timedelta(days=40))
    fill(app, tracker, "web:NEW", "NEW-CLI", now())
    assert main(["privacy", "purge"]) == 0
    out = capsys.readouterr().out
    assert "Older than 30 days:" in out and "tracker_events: 3" in out
    assert rows_mentioning(tracker, "OLD-CLI") == [] and rows_mentioning(tracker, "NEW-CLI")


def test_forget_command_erases_one_telegram_user(stores, capsys) -> None:
    app, tracker = stores
    fill(app, tracker, "telegram:4242", "TG-CLI", now())
    fill(app, tracker, "telegram:5151", "OTHER-CLI", now())
    assert main(["privacy", "forget", "--telegram-user", "4242"]) == 0
    assert "Telegram user 4242:" in capsys.readouterr().out
    assert rows_mentioning(app, "TG-CLI") == rows_mentioning(tracker, "TG-CLI") == []
    assert rows_mentioning(tracker, "OTHER-CLI")


def test_the_gateway_purges_at_start_up(settings, strings, registry) -> None:
    service = ConversationService(
        FakeRasaClient([]), NativeOnlyLanguageLayer(), strings, set(registry.codes)
    )
    app = create_database_engine(settings.storage.database_url)
    tracker = create_database_engine(settings.storage.rasa_tracker_url)
    ensure_schema(app)
    create_rasa_events_table(tracker)
    fill(app, tracker, "web:OLD", "OLD-START", now() - timedelta(days=31))
    fill(app, tracker, "web:NEW", "NEW-START", now())
    with make_client(settings, service) as client:
        assert client.get("/healthz").status_code == 200
        assert rows_mentioning(tracker, "OLD-START") == []
        assert rows_mentioning(tracker, "NEW-START")
    app.dispose()
    tracker.dispose()
