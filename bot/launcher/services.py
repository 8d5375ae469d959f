"""The services of the assistant, built from the settings."""

from __future__ import annotations

import os
import sys

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
    env["TALENTDESK_RASA_TRACKER_URL"] = settings.storage.rasa_tracker_url
    return env


def build_services(settings: Settings, python: str = sys.executable) -> list[ServiceSpec]:
    """The action server, the Rasa server, the gateway and (when a token is set) the Telegram
    bot, in the order they must start."""
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
        ServiceSpec(
            name="rasa",
            argv=[
                str(settings.path(settings.rasa.executable)),
                "run",
                "--model",
                str(settings.path(settings.rasa.model)),
                "--endpoints",
                str(settings.path(settings.rasa.endpoints)),
                "--credentials",
                str(settings.path(settings.rasa.credentials)),
                "--interface",
                settings.rasa.host,
                "--port",
                str(settings.rasa.port),
            ],
            health_url=f"{settings.rasa.url}/",
            env=env,
            cwd=root,
            start_timeout=timeout,
        ),
        ServiceSpec(
            name="gateway",
            argv=[python, "-m", "bot", "web"],
            health_url=f"{settings.web.url}/healthz",
            env=env,
            cwd=root,
            start_timeout=timeout,
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
