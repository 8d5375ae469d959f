"""The services of the assistant, built from the settings."""

from __future__ import annotations

import os
import sys
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import make_url

from bot.launcher.process import ServiceSpec
from bot.settings import Settings

# Nothing may download at run time; Rasa must not phone home either.
OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONUNBUFFERED": "1",
}


def child_environment(settings: Settings) -> dict[str, str]:
    """The environment every child gets: the caller's, made offline, plus what
    ``endpoints.yml`` interpolates."""
    env = dict(os.environ)
    env.update(OFFLINE_ENV)
    env["TALENTDESK_ACTION_ENDPOINT_URL"] = f"{settings.action_server.url}/webhook"
    env["TALENTDESK_RASA_TRACKER_URL"] = rasa_tracker_url(settings.storage.rasa_tracker_url)
    # Rasa's own level (it reads LOG_LEVEL): never DEBUG by accident, which logs user messages.
    env["LOG_LEVEL"] = settings.log_level.upper()
    env["LOG_LEVEL_LIBRARIES"] = "WARNING"
    if settings.storage.redis_url:
        env.update(redis_lock_store_environment(settings.storage.redis_url))
    return env


def rasa_tracker_url(url: str) -> str:
    """The tracker URL for Rasa's environment, which has psycopg2 (the default PostgreSQL
    driver of SQLAlchemy) rather than the app's psycopg 3."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        parsed = parsed.set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def redis_lock_store_environment(redis_url: str) -> dict[str, str]:
    """What ``endpoints.production.yml`` interpolates for Rasa's Redis lock store, which takes
    host, port and database separately rather than a URL."""
    parsed = urlsplit(redis_url)
    database = parsed.path.lstrip("/") or "0"
    return {
        "TALENTDESK_REDIS_HOST": parsed.hostname or "127.0.0.1",
        "TALENTDESK_REDIS_PORT": str(parsed.port or 6379),
        "TALENTDESK_REDIS_DB": database,
        "TALENTDESK_REDIS_PASSWORD": unquote(parsed.password or ""),
    }


def rasa_service(settings: Settings, replica: int, env: dict[str, str]) -> ServiceSpec:
    """One Rasa server; replicas listen on consecutive ports and share the stores."""
    port = settings.rasa.port + replica
    return ServiceSpec(
        name="rasa" if settings.rasa.replicas == 1 else f"rasa-{replica + 1}",
        argv=[
            str(settings.path(settings.rasa.executable)),
            "run",
            "--model",
            str(settings.path(settings.rasa.model)),
            "--endpoints",
            str(settings.rasa_endpoints),
            "--credentials",
            str(settings.path(settings.rasa.credentials)),
            "--interface",
            settings.rasa.host,
            "--port",
            str(port),
        ],
        health_url=f"http://{settings.rasa.host}:{port}/",
        env=env,
        cwd=settings.project_root,
        start_timeout=settings.launcher.start_timeout_seconds,
    )


def gateway_service(
    settings: Settings, replica: int, env: dict[str, str], python: str
) -> ServiceSpec:
    """One gateway; replicas listen on consecutive ports and share the stores."""
    url = settings.web.urls[replica]
    return ServiceSpec(
        name="gateway" if settings.web.replicas == 1 else f"gateway-{replica + 1}",
        argv=[python, "-m", "bot", "web"],
        health_url=f"{url}/healthz",
        env={**env, "TALENTDESK_WEB__PORT": str(settings.web.port + replica)},
        cwd=settings.project_root,
        start_timeout=settings.launcher.start_timeout_seconds,
    )


def build_services(settings: Settings, python: str = sys.executable) -> list[ServiceSpec]:
    """The action server, the Rasa server(s), the gateway and (when a token is set) the
    Telegram bot, in the order they must start."""
    env = child_environment(settings)
    root = settings.project_root
    timeout = settings.launcher.start_timeout_seconds
    specs = [
        ServiceSpec(
            name="actions",
            argv=[python, "-m", "actions"],
            health_url=f"{settings.action_server.url}/health",
            env=env,
            cwd=root,
            start_timeout=timeout,
        ),
        *(rasa_service(settings, replica, env) for replica in range(settings.rasa.replicas)),
        *(
            gateway_service(settings, replica, env, python)
            for replica in range(settings.web.replicas)
        ),
    ]
    if settings.telegram.token is not None:
        specs.append(
            ServiceSpec(
                name="telegram",
                argv=[python, "-m", "bot", "telegram"],
                # 200 only once Telegram accepted the token and updates flow.
                health_url=f"{settings.telegram.url}/healthz",
                env=env,
                cwd=root,
                start_timeout=timeout,
            )
        )
    return specs
