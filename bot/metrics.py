"""Prometheus metrics of the gateway, served at ``/metrics``.

One registry per app (not prometheus-client's global one), so tests and several apps in one
process never share counts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

# Stages of a turn: language ID, translation in and out, Rasa (with its actions), the whole turn.
STAGES = ("language_id", "translate_in", "rasa", "translate_out", "turn")
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


class Metrics:
    """The gateway's counters and histograms."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.messages = Counter(
            "talentdesk_messages",
            "User messages answered, by channel and language",
            ["channel", "language"],
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "talentdesk_stage_seconds",
            "Time spent in each stage of a turn",
            ["stage"],
            buckets=BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "talentdesk_errors",
            "Messages answered with an error, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.repeats = Counter(
            "talentdesk_repeated_messages",
            "Repeated message ids answered with the stored turn",
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "talentdesk_rate_limited_requests",
            "Requests refused by a rate limit, by channel",
            ["channel"],
            registry=self.registry,
        )
        self.open_handoffs = Gauge(
            "talentdesk_open_handoffs", "Handoff requests still open", registry=self.registry
        )

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds.labels(name).observe(time.perf_counter() - started)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
