from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.settings import Settings


def test_defaults_are_the_embedded_mode() -> None:
    settings = Settings(_env_file=None)
    assert settings.mode == "embedded"
    assert settings.web.url == "http://127.0.0.1:8000"
    assert settings.rasa.url == "http://127.0.0.1:5005"
    assert settings.storage.database_url.startswith("sqlite:///")
    assert settings.telegram.token is None


def test_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTDESK_WEB__PORT", "9100")
    monkeypatch.setenv("TALENTDESK_RASA__HOST", "127.0.0.2")
    settings = Settings(_env_file=None)
    assert settings.web.port == 9100
    assert settings.rasa.url == "http://127.0.0.2:5005"


def test_conventional_telegram_token_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    settings = Settings(_env_file=None)
    assert settings.telegram.token is not None
    assert settings.telegram.token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(settings)


def test_relative_paths_resolve_against_the_project(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, project_root=tmp_path)
    assert settings.path(Path("models/x")) == tmp_path / "models/x"
    assert settings.path(Path("/abs")) == Path("/abs")


def test_every_setting_is_documented_in_env_example() -> None:
    example = (Path(__file__).parents[2] / ".env.example").read_text()
    settings = Settings(_env_file=None)
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if isinstance(value, BaseModel):
            for key in type(value).model_fields:
                assert f"TALENTDESK_{name.upper()}__{key.upper()}" in example, (name, key)
        elif field.alias:
            assert field.alias in example
        else:
            assert f"TALENTDESK_{name.upper()}" in example, name
