from bot.cli import build_parser
from bot.launcher.services import build_services
from bot.settings import Settings


def test_the_launcher_starts_the_bot_only_with_a_token(monkeypatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("TALENTDESK_TELEGRAM__TOKEN", raising=False)
    without = build_services(Settings(_env_file=None), python="py")
    assert [spec.name for spec in without] == ["actions", "rasa", "gateway"]

    settings = Settings(_env_file=None, telegram={"token": "1:abc", "port": 8123})
    specs = build_services(settings, python="py")
    assert [spec.name for spec in specs] == ["actions", "rasa", "gateway", "telegram"]
    assert specs[-1].argv == ["py", "-m", "bot", "telegram"]
    assert specs[-1].health_url == "http://127.0.0.1:8123/healthz"


def test_the_conventional_token_variable_is_read(monkeypatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "42:xyz")
    token = Settings(_env_file=None).telegram.token
    assert token is not None and token.get_secret_value() == "42:xyz"
    assert build_parser().parse_args(["telegram"]).command == "telegram"
