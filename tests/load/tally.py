"""The client side's count of every message: sent, answered, lost, duplicated, by message id.

Each simulated message has a client message id (``message_id`` on the JSON API and the
websocket, the update id on Telegram). Retries of a message reuse its id. Every reply the client
receives is recorded under the id it answers, however it arrived (HTTP response, websocket frame,
a ``sendMessage`` of the bot), so a message answered twice is seen as such.

- **answered**: at least one reply that is an answer (not the service's own apology);
- **lost**: sent, and no answer after every retry;
- **duplicated**: more than one reply delivered for one id (the same content twice counts too:
  a user would see it twice).
"""

from __future__ import annotations

import statistics
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SentMessage:
    channel: str
    kind: str
    sent_at: float
    replies: list[str] = field(default_factory=list)
    error_replies: int = 0
    answered_at: float | None = None
    attempts: int = 1
    gave_up: str | None = None


class Tally:
    """Per-id bookkeeping of one run (one event loop, so no locking)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self.messages: dict[str, SentMessage] = {}
        self.errors: Counter[str] = Counter()
        self.apologies: Counter[str] = Counter()
        self.started = clock()
        self.last_answer_at = self.started

    def sent(self, message_id: str, channel: str, kind: str) -> None:
        """The first copy of a message left the client."""
        assert message_id not in self.messages, f"message id {message_id} used twice"
        self.messages[message_id] = SentMessage(channel, kind, self._clock())

    def retry(self, message_id: str, reason: str) -> None:
        """A retryable failure (503, connection error, dropped socket): the same id again."""
        self.errors[reason] += 1
        self.messages[message_id].attempts += 1

    def give_up(self, message_id: str, reason: str) -> None:
        """A failure that is not retryable, or the retry budget ran out."""
        self.errors[reason] += 1
        self.messages[message_id].gave_up = reason

    def error(self, reason: str) -> None:
        """A failure outside any message (a session that could not be created...)."""
        self.errors[reason] += 1

    def replied(
        self, message_id: str, content: str, apology: bool = False, at: float | None = None
    ) -> None:
        """A reply arrived for ``message_id`` (now, or ``at``); ``apology``: the service's own
        "unavailable" or "something went wrong" text, which does not answer the message."""
        message = self.messages.get(message_id)
        if message is None:  # a reply to an id this client never sent
            self.errors["reply to an unknown id"] += 1
            return
        message.replies.append(content)
        if apology:
            message.error_replies += 1
            self.errors[f"{message.channel}: apology reply"] += 1
            self.apologies[content[:120]] += 1
        elif message.answered_at is None:
            message.answered_at = self._clock() if at is None else at
            self.last_answer_at = max(self.last_answer_at, message.answered_at)

    def is_answered(self, message_id: str) -> bool:
        return self.messages[message_id].answered_at is not None

    def summary(self) -> dict[str, Any]:
        """The figures of the run (latencies in seconds, from the first send to the answer)."""
        values = list(self.messages.values())
        latencies = [m.answered_at - m.sent_at for m in values if m.answered_at is not None]
        by_kind: dict[str, list[float]] = defaultdict(list)
        channels: dict[str, Counter[str]] = defaultdict(Counter)
        for m in values:
            row = channels[m.channel]
            row["sent"] += 1
            row["answered"] += m.answered_at is not None
            row["lost"] += m.answered_at is None
            row["duplicated"] += len(m.replies) > 1
            row["retried"] += m.attempts > 1
            row["apologies"] += m.error_replies
            if m.answered_at is not None:
                by_kind[m.kind].append(m.answered_at - m.sent_at)
        elapsed = max(self.last_answer_at - self.started, 1e-9)
        answered = len(latencies)
        return {
            "sent": len(values),
            "answered": answered,
            "lost": len(values) - answered,
            "duplicated": sum(len(m.replies) > 1 for m in values),
            "duplicated_with_different_content": sum(len(set(m.replies)) > 1 for m in values),
            "retried_messages": sum(m.attempts > 1 for m in values),
            "errors": dict(self.errors.most_common()),
            "msg_per_s": round(answered / elapsed, 2),
            "p50_s": _percentile(latencies, 0.50),
            "p95_s": _percentile(latencies, 0.95),
            "p99_s": _percentile(latencies, 0.99),
            "apologies": dict(self.apologies.most_common()),
            "lost_by_kind": dict(Counter(m.kind for m in values if m.answered_at is None)),
            "by_channel": {name: dict(row) for name, row in sorted(channels.items())},
            "by_kind": {
                kind: {
                    "count": len(kind_values),
                    "p50_s": round(statistics.median(kind_values), 3),
                    "p95_s": _percentile(kind_values, 0.95),
                    "p99_s": _percentile(kind_values, 0.99),
                }
                for kind, kind_values in sorted(by_kind.items())
            },
            "lost_ids": sorted(k for k, m in self.messages.items() if m.answered_at is None)[:20],
            "duplicated_ids": sorted(k for k, m in self.messages.items() if len(m.replies) > 1)[
                :20
            ],
        }


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)
