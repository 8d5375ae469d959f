"""Faults injected into the production stack while the load runs, and the private Redis.

The machine's own Redis and PostgreSQL are shared with other work: the load test restarts only
a Redis server of its own, and terminates only the connections to its own databases.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.processes import free_port, wait_until

POSTGRES_ADMIN = "postgresql://127.0.0.1:5432/test"


class PrivateRedis:
    """A throwaway ``redis-server`` on a free port: nothing saved, nothing shared."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self._folder = folder
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self._folder / "redis.log").open("ab")
        self._process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self._folder)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        if not wait_until(self._answers, timeout=30, interval=0.1):
            raise RuntimeError(f"redis-server did not start on port {self.port}")

    def _answers(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def restart(self, down_seconds: float) -> None:
        """Stops the server (its data goes: nothing is saved) and starts it again."""
        self.stop()
        time.sleep(down_seconds)
        self.start()


def terminate_connections(databases: list[str]) -> int:
    """``pg_terminate_backend`` for every connection to ``databases``; returns how many."""
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = ANY(%s) AND pid <> pg_backend_pid()",
            (databases,),
        ).fetchall()
    return sum(1 for (done,) in rows if done)


def kill_service(run_dir: Path, name: str, sig: signal.Signals) -> int:
    """Signals one supervised service by its pid file (the supervisor restarts it)."""
    pid = int((run_dir / f"{name}.pid").read_text())
    os.kill(pid, sig)
    return pid


@dataclass
class Fault:
    """One fault: when (seconds into the run), what, and how to see it recovered."""

    at: float
    name: str
    inject: Callable[[], Any]
    recovered: Callable[[], Awaitable[bool]] | None = None
    record: dict[str, Any] = field(default_factory=dict)


async def healthy(url: str, old_pid: Callable[[], bool] | None = None) -> bool:
    """True when ``url`` answers 200 (and, given ``old_pid``, a new process serves it)."""
    if old_pid is not None and not old_pid():
        return False
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def run_faults(faults: list[Fault], started: float, until: float) -> list[dict[str, Any]]:
    """Injects each fault at its time (in a thread: some block) and times its recovery."""
    records = []
    watchers = set()
    for fault in sorted(faults, key=lambda f: f.at):
        await asyncio.sleep(max(0.0, started + fault.at - time.monotonic()))
        at = time.monotonic() - started
        try:
            detail = await asyncio.to_thread(fault.inject)
        except Exception as error:  # a fault that could not be injected is reported, not fatal
            detail = f"not injected: {error!r}"
        fault.record = {"fault": fault.name, "at_s": round(at, 1), "detail": detail}
        records.append(fault.record)
        print(f"  fault at {at:5.1f} s: {fault.name} ({detail})", flush=True)
        if fault.recovered is not None:
            watchers.add(asyncio.create_task(_time_recovery(fault, started, until)))
    if watchers:
        await asyncio.wait(watchers)
    return records


async def _time_recovery(fault: Fault, started: float, until: float) -> None:
    assert fault.recovered is not None
    while time.monotonic() < until:
        if await fault.recovered():
            fault.record["recovered_at_s"] = round(time.monotonic() - started, 1)
            return
        await asyncio.sleep(0.5)
    fault.record["recovered_at_s"] = None
