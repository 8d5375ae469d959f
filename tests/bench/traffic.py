"""Closed-loop simulated users for the end-to-end benchmark: the gateway's ``/api/chat`` and
bare Rasa's REST webhook, given the same messages.

Each user is one conversation (a gateway session, or a Rasa sender id) that sends the
language's messages in order, the next one as soon as the previous one is answered, until the
cell has sent its number of requests. Bare Rasa receives what the gateway would send it: the
English text for a translated language, and the same metadata, so Rasa and the actions do the
same work for both and the difference is the gateway.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

import httpx
import numpy as np

# What the fr->en test package "translates" any French message into (a question the knowledge
# base answers, so the action searches it), and what the en->fr package writes for any reply.
FRENCH_PIVOT = "how do I apply for a residence permit?"
FRENCH_REPLY = "Voici la réponse en français."


@dataclass(frozen=True)
class Message:
    """What a user types, and what Rasa receives for it (the pivot text, for French)."""

    text: str
    rasa_text: str
    language: str


def _native(language: str, texts: list[str]) -> list[Message]:
    return [Message(text, text, language) for text in texts]


# A greeting, knowledge questions, thanks: the shape of the load test's conversation.
MESSAGES: dict[str, list[Message]] = {
    "en": _native(
        "en",
        [
            "hello",
            "how do I apply for a residence permit?",
            "where can I open a bank account?",
            "how do I register my address after moving to a new flat?",
            "what documents do I need for a work permit?",
            "thanks a lot",
        ],
    ),
    "zh": _native(
        "zh",
        [
            "你好",
            "外国人怎么办理工作许可？",
            "在长沙怎么开银行账户？",
            "居留许可怎么申请？",
            "搬家以后怎么办理住宿登记？",
            "谢谢",
        ],
    ),
    "fr": [
        Message(text, FRENCH_PIVOT, "fr")
        for text in [
            "Bonjour, comment puis-je obtenir un permis de séjour à Changsha ?",
            "Où est-ce que je peux ouvrir un compte bancaire ?",
            "Comment déclarer ma nouvelle adresse après un déménagement ?",
            "Quels documents faut-il pour un permis de travail ?",
            "Combien de temps faut-il pour obtenir un permis de séjour ?",
            "Merci beaucoup pour votre aide, à bientôt.",
        ]
    ],
}


class Target(Protocol):
    """Where a cell's messages go."""

    name: str

    async def open(self, client: httpx.AsyncClient) -> str:
        """A new conversation (not timed); returns its handle."""
        ...

    async def send(self, client: httpx.AsyncClient, handle: str, message: Message) -> bool:
        """Sends one message; True when it was answered."""
        ...


class Gateway:
    """The gateway's JSON API, as the web widget uses it (a session, a message id)."""

    name = "gateway"

    def __init__(self, base_url: str) -> None:
        self._base = base_url

    async def open(self, client: httpx.AsyncClient) -> str:
        response = await client.post(f"{self._base}/api/session", json={"channel": "web"})
        response.raise_for_status()
        return str(response.json()["session"])

    async def send(self, client: httpx.AsyncClient, handle: str, message: Message) -> bool:
        body = {"session": handle, "text": message.text, "id": uuid.uuid4().hex}
        response = await client.post(f"{self._base}/api/chat", json=body)
        return response.status_code == 200 and bool(response.json().get("replies"))


class BareRasa:
    """Rasa's REST webhook, called directly with what the gateway would send."""

    name = "rasa"

    def __init__(self, base_url: str) -> None:
        self._webhook = f"{base_url}/webhooks/rest/webhook"

    async def open(self, client: httpx.AsyncClient) -> str:
        return f"bench:{uuid.uuid4().hex}"

    async def send(self, client: httpx.AsyncClient, handle: str, message: Message) -> bool:
        metadata = {
            "language": message.language,
            "original_text": message.text,
            "channel": "web",
            "message_id": uuid.uuid4().hex,
        }
        body = {"sender": handle, "message": message.rasa_text, "metadata": metadata}
        response = await client.post(self._webhook, json=body)
        return response.status_code == 200 and bool(response.json())


@dataclass
class Cell:
    """One measurement: a target, a language, a number of concurrent users."""

    target: str
    language: str
    users: int
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> dict[str, object]:
        values = np.array(self.latencies) * 1000
        return {
            "target": self.target,
            "language": self.language,
            "users": self.users,
            "requests": len(self.latencies),
            "errors": dict(self.errors),
            "seconds": round(self.seconds, 2),
            "mean_ms": round(float(values.mean()), 1) if len(values) else None,
            "p50_ms": round(float(np.percentile(values, 50)), 1) if len(values) else None,
            "p95_ms": round(float(np.percentile(values, 95)), 1) if len(values) else None,
            "throughput_rps": round(len(values) / self.seconds, 2) if self.seconds else 0.0,
        }


async def run_cell(target: Target, language: str, users: int, requests: int) -> Cell:
    """``users`` conversations at once until ``requests`` messages were answered or failed."""
    messages = MESSAGES[language]
    cell = Cell(target.name, language, users)
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        handles = await asyncio.gather(*(target.open(client) for _ in range(users)))
        remaining = requests

        async def user(handle: str) -> None:
            nonlocal remaining
            sent = 0
            while remaining > 0:
                remaining -= 1
                message = messages[sent % len(messages)]
                sent += 1
                started = time.perf_counter()
                try:
                    answered = await target.send(client, handle, message)
                except httpx.HTTPError as error:
                    cell.errors[type(error).__name__] += 1
                    continue
                if answered:
                    cell.latencies.append(time.perf_counter() - started)
                else:
                    cell.errors["unanswered"] += 1

        started = time.perf_counter()
        await asyncio.gather(*(user(handle) for handle in handles))
        cell.seconds = time.perf_counter() - started
    return cell


async def warm_up(targets: list[Target], languages: list[str]) -> None:
    """Every message once through each target, so no model loading is measured."""
    for target in targets:
        for language in languages:
            cell = await run_cell(target, language, 1, len(MESSAGES[language]))
            if cell.errors:
                raise RuntimeError(f"warm-up of {target.name} in {language}: {dict(cell.errors)}")
