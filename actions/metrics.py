"""Prometheus metrics of the action server, served at its ``/metrics``.

The gateway's histograms see Rasa and its actions as one stage; these split the actions (and
the knowledge search inside them) out of it. One registry per server, as in the gateway.
"""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from rasa_sdk.executor import ActionExecutor
from sanic import Sanic, response
from sanic.request import Request

from bot.metrics import BUCKETS


class ActionMetrics:
    """Time spent running each action, and searching the knowledge base."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.action_seconds = Histogram(
            "talentdesk_action_seconds",
            "Time spent running an action, by action",
            ["action"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.retrieval_seconds = Histogram(
            "talentdesk_retrieval_seconds",
            "Time spent searching the knowledge base and the articles for one question",
            buckets=BUCKETS,
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class TimedActionExecutor(ActionExecutor):
    """rasa-sdk's executor, timing every action it runs."""

    def __init__(self, metrics: ActionMetrics) -> None:
        super().__init__()
        self._metrics = metrics

    async def run(self, action_call: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        name = str(action_call.get("next_action"))
        # The label is the caller's string: only registered names, so it stays bounded.
        label = name if name in self.actions else "unknown"
        started = time.perf_counter()
        try:
            return await super().run(action_call, *args, **kwargs)
        finally:
            self._metrics.action_seconds.labels(label).observe(time.perf_counter() - started)


def add_metrics_route(app: Sanic, metrics: ActionMetrics) -> None:
    """Serves ``metrics`` at ``GET /metrics`` (the server listens on loopback only)."""

    async def exposition(_: Request) -> response.HTTPResponse:
        return response.raw(metrics.exposition(), content_type=CONTENT_TYPE_LATEST)

    app.add_route(exposition, "/metrics", methods=["GET"], name="metrics")
