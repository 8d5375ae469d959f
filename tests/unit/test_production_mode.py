"""Production mode and scale-out: settings checks and what the launcher hands to Rasa."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.launcher.services import build_services, rasa_tracker_url, redis_lock_store_environment
from bot.settings import Settings

PRODUCTION = {
    "mode": "production",
    "sessions": {"secret": "s" * 40},
    "storage": {
        "database_url": "postgresql://talentdesk@127.0.0.1:5432/talentdesk",
        "rasa_tracker_url": "postgresql+psycopg://talentdesk:s%40cret@db.internal/rasa",
        "redis_url": "redis://:pw@cache.internal:6380/2",
    },
}


def test_production_mode_uses_the_production_endpoints() -> None:
    settings = Settings(_env_file=None, **PRODUCTION)
    assert settings.rasa_endpoints.name == "endpoints.production.yml"
    assert settings.rasa_endpoints.exists()
    assert Settings(_env_file=None).rasa_endpoints.name == "endpoints.yml"


@pytest.mark.parametrize(
    ("storage", "complaint"),
    [
        ({"redis_url": "redis://127.0.0.1:6379/0"}, "DATABASE_URL must be a PostgreSQL URL"),
        (
            {
                "database_url": "postgresql://127.0.0.1/test",
                "rasa_tracker_url": "postgresql://127.0.0.1/test",
            },
            "REDIS_URL must be set",
        ),
    ],
)
def test_production_mode_names_the_missing_store(storage: dict, complaint: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(_env_file=None, mode="production", storage=storage)
    assert complaint in str(raised.value)


def test_replicas_need_production_mode() -> None:
    with pytest.raises(ValidationError, match="needs TALENTDESK_MODE=production"):
        Settings(_env_file=None, rasa={"replicas": 2})


def test_each_rasa_replica_is_a_service_on_its_own_port() -> None:
    settings = Settings(_env_file=None, rasa={"port": 6000, "replicas": 3}, **PRODUCTION)
    names = [spec.name for spec in build_services(settings)]
    assert names == ["actions", "rasa-1", "rasa-2", "rasa-3", "gateway"]
    rasa_2 = build_services(settings)[2]
    assert rasa_2.argv[rasa_2.argv.index("--port") + 1] == "6001"
    assert rasa_2.health_url == "http://127.0.0.1:6001/"
    assert settings.rasa.urls[-1] == "http://127.0.0.1:6002"


def test_each_gateway_replica_is_a_service_on_its_own_port() -> None:
    settings = Settings(_env_file=None, web={"port": 7000, "replicas": 2}, **PRODUCTION)
    gateways = [spec for spec in build_services(settings) if spec.name.startswith("gateway")]
    assert [spec.name for spec in gateways] == ["gateway-1", "gateway-2"]
    assert [spec.env["TALENTDESK_WEB__PORT"] for spec in gateways] == ["7000", "7001"]
    assert gateways[1].health_url == "http://127.0.0.1:7001/healthz"
    assert settings.web.urls == ["http://127.0.0.1:7000", "http://127.0.0.1:7001"]


def test_gateway_replicas_need_production_mode() -> None:
    with pytest.raises(ValidationError, match="more than one gateway needs"):
        Settings(_env_file=None, web={"replicas": 2})


def test_rasa_gets_a_tracker_url_for_its_own_driver_and_the_lock_store_pieces() -> None:
    settings = Settings(_env_file=None, **PRODUCTION)
    env = build_services(settings)[1].env
    assert env["TALENTDESK_RASA_TRACKER_URL"] == (
        "postgresql://talentdesk:s%40cret@db.internal/rasa"
    )
    assert env["TALENTDESK_REDIS_HOST"] == "cache.internal"
    assert env["TALENTDESK_REDIS_PORT"] == "6380"
    assert env["TALENTDESK_REDIS_DB"] == "2"
    assert env["TALENTDESK_REDIS_PASSWORD"] == "pw"


def test_sqlite_tracker_urls_pass_unchanged() -> None:
    assert rasa_tracker_url("sqlite:///var/rasa_tracker.db") == "sqlite:///var/rasa_tracker.db"
    assert redis_lock_store_environment("redis://127.0.0.1")["TALENTDESK_REDIS_DB"] == "0"


def test_every_endpoints_variable_is_provided_by_the_launcher() -> None:
    settings = Settings(_env_file=None, **PRODUCTION)
    env = build_services(settings)[1].env
    text = Path(settings.rasa_endpoints).read_text()
    import re

    for variable in re.findall(r"\$\{(\w+)\}", text):
        assert variable in env, variable
