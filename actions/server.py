"""The action server: rasa-sdk's web app with our actions, bound to the configured address.

rasa-sdk's own CLI imports every module of a package and instantiates each Action with no
arguments, listens on every interface and forks workers; this entry point instead builds each
action with its collaborators and serves them from one process on loopback.
"""

from __future__ import annotations

import logging

from rasa_sdk.endpoint import create_app
from rasa_sdk.executor import ActionExecutor

from actions.metrics import ActionMetrics, TimedActionExecutor, add_metrics_route
from actions.registry import ActionServices, build_actions, build_services
from bot.settings import Settings

log = logging.getLogger(__name__)


def build_executor(
    settings: Settings, services: ActionServices, metrics: ActionMetrics | None = None
) -> ActionExecutor:
    executor = ActionExecutor() if metrics is None else TimedActionExecutor(metrics)
    for action in build_actions(settings, services):
        executor.register_action(action)
    return executor


def main() -> int:
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    metrics = ActionMetrics()
    services = build_services(settings, metrics)
    # Before listening: the health check passes only once the model and index are loaded.
    services.warm_up()
    executor = build_executor(settings, services, metrics)
    log.info("serving actions: %s", ", ".join(sorted(executor.actions)))
    app = create_app(executor, cors_origins=None)
    add_metrics_route(app, metrics)
    app.run(
        host=settings.action_server.host,
        port=settings.action_server.port,
        single_process=True,
        access_log=False,
        motd=False,
    )
    return 0
