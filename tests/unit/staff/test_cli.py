import io

import pytest

from bot.cli import main
from bot.staff import StaffAccounts, StaffAudit
from bot.storage.database import create_database_engine

PASSWORD = "correct horse battery"


@pytest.fixture
def database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/app.db"
    monkeypatch.setenv("TALENTDESK_STORAGE__DATABASE_URL", url)
    monkeypatch.setenv("TALENTDESK_VAR_DIR", str(tmp_path / "var"))
    engine = create_database_engine(url)
    yield engine
    engine.dispose()


def run(monkeypatch, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main(["staff", *argv])


def test_add_user_set_password_disable(database, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "add-user", "li.wei", "--role", "admin", stdin=PASSWORD + "\n") == 0
    accounts = StaffAccounts(database)
    assert accounts.authenticate("li.wei", PASSWORD).role == "admin"
    assert run(monkeypatch, "set-password", "li.wei", stdin="a new long password\n") == 0
    assert accounts.authenticate("li.wei", "a new long password") is not None
    assert run(monkeypatch, "disable", "li.wei") == 0
    assert accounts.authenticate("li.wei", "a new long password") is None
    assert run(monkeypatch, "users") == 0
    assert "li.wei\tadmin\tdisabled" in capsys.readouterr().out
    actions = [entry.action for entry in StaffAudit(database).recent()]
    assert actions == ["disable_user", "set_password", "add_user"]


def test_errors_say_what_to_fix(database, monkeypatch, capsys) -> None:
    assert run(monkeypatch, "add-user", "li.wei", stdin="short\n") == 2
    assert "at least 10 characters" in capsys.readouterr().err
    assert run(monkeypatch, "disable", "nobody") == 2
    assert "no staff account" in capsys.readouterr().err
