"""The assistant under load: started as ``make run`` starts it, with the real Telegram bot
talking to the fake Bot API, in embedded mode or in production mode (two Rasa servers, two
gateways, PostgreSQL databases of its own, a Redis server of its own)."""

from __future__ import annotations

import contextlib
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.load.faults import (
    POSTGRES_ADMIN,
    Fault,
    PrivateRedis,
    healthy,
    kill_service,
    terminate_connections,
)
from tests.processes import free_port, pid_alive
from tests.telegram_fake import TOKEN, FakeTelegram


@dataclass
class Stack:
    assistant: RunningAssistant
    fake: FakeTelegram
    databases: list[str] = field(default_factory=list)
    redis: PrivateRedis | None = None

    @property
    def gateways(self) -> list[str]:
        return self.assistant.settings.web.urls

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of each supervised process, from the supervisor's pid files."""
        memory: dict[str, float] = {}
        for pid_file in sorted(self.assistant.run_dir.glob("*.pid")):
            status = Path(f"/proc/{pid_file.read_text().strip()}/status")
            with contextlib.suppress(OSError):
                for line in status.read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        memory[pid_file.stem] = round(int(line.split()[1]) / 1024, 1)
        return memory


def telegram_environment(fake: FakeTelegram) -> dict[str, str]:
    """The real bot, started by the launcher, long-polling the fake; no flood limit (every
    simulated user is a machine)."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TALENTDESK_TELEGRAM__API_BASE_URL": fake.base_url,
        "TALENTDESK_TELEGRAM__PORT": str(free_port()),
        "TALENTDESK_TELEGRAM__POLLING_TIMEOUT_SECONDS": "5",
        "TALENTDESK_TELEGRAM__RATE_LIMIT_BURST": "1000000",
        "TALENTDESK_TELEGRAM__RATE_LIMIT_PER_MINUTE": "1000000",
    }


def _create_databases(names: list[str]) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        for name in names:
            connection.execute(f'CREATE DATABASE "{name}"')


def _drop_databases(names: list[str]) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        for name in names:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def running_stack(tmp: Path, production: bool, replicas: int = 2) -> Iterator[Stack]:
    """Starts everything; stops it and drops what the run created, whatever happens."""
    env = {
        # Every simulated visitor comes from this one address, at machine speed.
        "TALENTDESK_WEB__RATE_LIMIT_PER_IP": "100000000/minute",
        "TALENTDESK_WEB__RATE_LIMIT_PER_SESSION": "100000000/minute",
        "TALENTDESK_WEB__MAX_WEBSOCKETS_PER_IP": "100000",
    }
    databases: list[str] = []
    redis: PrivateRedis | None = None
    with FakeTelegram() as fake, contextlib.ExitStack() as cleanup:
        env.update(telegram_environment(fake))
        if production:
            suffix = uuid.uuid4().hex[:8]
            databases = [f"talentdesk_load_app_{suffix}", f"talentdesk_load_rasa_{suffix}"]
            _create_databases(databases)
            cleanup.callback(_drop_databases, databases)
            redis = PrivateRedis(tmp)
            redis.start()
            cleanup.callback(redis.stop)
            env.update(
                {
                    "TALENTDESK_MODE": "production",
                    "TALENTDESK_STORAGE__DATABASE_URL": f"postgresql://127.0.0.1:5432/{databases[0]}",
                    "TALENTDESK_STORAGE__RASA_TRACKER_URL": (
                        f"postgresql://127.0.0.1:5432/{databases[1]}"
                    ),
                    "TALENTDESK_STORAGE__REDIS_URL": redis.url,
                    "TALENTDESK_RASA__REPLICAS": str(replicas),
                    "TALENTDESK_WEB__REPLICAS": "2",
                    "TALENTDESK_SESSIONS__SECRET": "load-test-secret-" + uuid.uuid4().hex,
                }
            )
        assistant = start_assistant(tmp, extra_env=env)
        try:
            yield Stack(assistant, fake, databases, redis)
        finally:
            stop_assistant(assistant)


def production_faults(stack: Stack, seconds: float) -> list[Fault]:
    """The faults of the production run, spread over it (the Rasa server last: it takes
    minutes to load its model again, and the supervisor restarts one service at a time)."""
    assistant = stack.assistant
    run_dir = assistant.run_dir
    settings = assistant.settings
    redis = stack.redis
    assert redis is not None
    killed: dict[str, int] = {}

    def kill(name: str, sig: signal.Signals) -> str:
        killed[name] = kill_service(run_dir, name, sig)
        return f"{sig.name} to {name} (pid {killed[name]})"

    def replaced(name: str):  # type: ignore[no-untyped-def]
        def check() -> bool:
            pid_file = run_dir / f"{name}.pid"
            try:
                pid = int(pid_file.read_text())
            except (OSError, ValueError):
                return False
            return pid != killed.get(name) and pid_alive(pid)

        return check

    def restart_redis() -> str:
        redis.restart(down_seconds=3.0)
        return f"private redis-server on port {redis.port} stopped for 3 s, started empty"

    def terminate_postgres() -> str:
        count = terminate_connections(stack.databases)
        return f"pg_terminate_backend on {count} connections to {', '.join(stack.databases)}"

    gateway_2 = settings.web.urls[-1]
    return [
        Fault(
            0.12 * seconds,
            "action server killed",
            lambda: kill("actions", signal.SIGKILL),
            lambda: healthy(f"{settings.action_server.url}/health", replaced("actions")),
        ),
        Fault(0.30 * seconds, "redis restarted", restart_redis),
        Fault(0.45 * seconds, "postgresql connections terminated", terminate_postgres),
        Fault(
            0.60 * seconds,
            "gateway restarted",
            lambda: kill(f"gateway-{settings.web.replicas}", signal.SIGTERM),
            lambda: healthy(f"{gateway_2}/healthz", replaced(f"gateway-{settings.web.replicas}")),
        ),
        Fault(
            0.75 * seconds,
            "rasa server killed",
            lambda: kill("rasa-1", signal.SIGKILL),
            lambda: healthy(f"{settings.rasa.url}/", replaced("rasa-1")),
        ),
    ]
