"""Load test: ``python -m tests.load.loadtest`` (``make loadtest``).

Starts the whole assistant the way ``make run`` does (embedded mode by default; ``--production``
uses this machine's PostgreSQL and Redis with ``--replicas`` Rasa servers), then runs
``--users`` simulated visitors through ``/api/chat`` at the same time for ``--seconds``. Each
visitor repeats a realistic conversation: a greeting, knowledge questions in English and
Chinese, a question nobody can answer, thanks. Prints throughput, latency percentiles per kind
of message, errors, and the memory of every process; writes ``var/bench/loadtest-<mode>.json``.

``--url http://host:port`` measures an assistant that is already running instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import PROJECT_ROOT

CONVERSATION = [
    ("greeting", "hello"),
    ("knowledge_en", "how do I apply for a residence permit?"),
    ("knowledge_zh", "外国人怎么办理工作许可？"),
    ("knowledge_en", "where can I open a bank account?"),
    ("unanswerable", "what is the bitcoin price today"),
    ("thanks", "thanks a lot"),
]


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def answered(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def new_session(client: httpx.AsyncClient, base_url: str) -> str:
    response = await client.post(f"{base_url}/api/session", json={"channel": "web"})
    response.raise_for_status()
    return str(response.json()["session"])


async def visitor(client: httpx.AsyncClient, api: str, deadline: float, results: Results) -> None:
    """One visitor: the conversation again and again, in a new session each time."""
    while time.monotonic() < deadline:
        session = await new_session(client, api.removesuffix("/api/chat"))
        for kind, text in CONVERSATION:
            if time.monotonic() >= deadline:
                return
            started = time.perf_counter()
            try:
                response = await client.post(api, json={"session": session, "text": text})
            except httpx.HTTPError as error:
                results.errors[type(error).__name__] += 1
                continue
            elapsed = time.perf_counter() - started
            if response.status_code == 200 and response.json().get("replies"):
                results.latencies[kind].append(elapsed)
            else:
                results.errors[f"HTTP {response.status_code}"] += 1


async def run_load(base_url: str, users: int, seconds: float) -> tuple[Results, float]:
    results = Results()
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        # Warm up every path once so model loading is not measured.
        warmup = await new_session(client, base_url)
        for _, text in CONVERSATION:
            await client.post(f"{base_url}/api/chat", json={"session": warmup, "text": text})
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(visitor(client, f"{base_url}/api/chat", deadline, results) for _ in range(users))
        )
        elapsed = time.monotonic() - started
    return results, elapsed


def process_memory(run_dir: Path) -> dict[str, float]:
    """Resident memory (MB) of each supervised process, from the supervisor's pid files."""
    memory: dict[str, float] = {}
    for pid_file in sorted(run_dir.glob("*.pid")):
        status = Path(f"/proc/{pid_file.read_text().strip()}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    memory[pid_file.stem] = round(int(line.split()[1]) / 1024, 1)
    return memory


def report(results: Results, elapsed: float, users: int, mode: str) -> dict:
    every = [v for values in results.latencies.values() for v in values]
    by_kind = {
        kind: {
            "count": len(values),
            "p50_ms": round(1000 * statistics.median(values), 1),
            "p95_ms": round(1000 * percentile(values, 0.95), 1),
            "p99_ms": round(1000 * percentile(values, 0.99), 1),
        }
        for kind, values in sorted(results.latencies.items())
    }
    return {
        "mode": mode,
        "users": users,
        "seconds": round(elapsed, 1),
        "answered": results.answered,
        "errors": dict(results.errors),
        "messages_per_second": round(results.answered / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(1000 * statistics.median(every), 1) if every else None,
        "p95_ms": round(1000 * percentile(every, 0.95), 1) if every else None,
        "p99_ms": round(1000 * percentile(every, 0.99), 1) if every else None,
        "by_kind": by_kind,
    }


def print_report(summary: dict) -> None:
    print(
        f"\n{summary['mode']}: {summary['users']} concurrent users for {summary['seconds']} s: "
        f"{summary['answered']} messages answered, {summary['messages_per_second']} msg/s, "
        f"errors {summary['errors'] or 'none'}"
    )
    print(
        f"all messages: p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"p99 {summary['p99_ms']} ms"
    )
    print(f"{'kind':<14}{'count':>7}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    for kind, row in summary["by_kind"].items():
        print(
            f"{kind:<14}{row['count']:>7}{row['p50_ms']:>10}{row['p95_ms']:>10}{row['p99_ms']:>10}"
        )
    if summary.get("memory_mb"):
        print("memory (RSS MB): " + ", ".join(f"{k} {v}" for k, v in summary["memory_mb"].items()))


def production_environment(replicas: int) -> tuple[dict[str, str], list[str]]:
    """Fresh PostgreSQL databases and a Redis database for one run."""
    import psycopg
    import redis

    suffix = uuid.uuid4().hex[:8]
    databases = [f"talentdesk_load_app_{suffix}", f"talentdesk_load_rasa_{suffix}"]
    with psycopg.connect("postgresql://127.0.0.1:5432/test", autocommit=True) as connection:
        for name in databases:
            connection.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url("redis://127.0.0.1:6379/13").flushdb()
    env = {
        "TALENTDESK_MODE": "production",
        "TALENTDESK_STORAGE__DATABASE_URL": f"postgresql://127.0.0.1:5432/{databases[0]}",
        "TALENTDESK_STORAGE__RASA_TRACKER_URL": f"postgresql://127.0.0.1:5432/{databases[1]}",
        "TALENTDESK_STORAGE__REDIS_URL": "redis://127.0.0.1:6379/13",
        "TALENTDESK_RASA__REPLICAS": str(replicas),
        "TALENTDESK_SESSIONS__SECRET": "load-test-secret-" + uuid.uuid4().hex,
    }
    return env, databases


def drop_databases(databases: list[str]) -> None:
    import psycopg

    with psycopg.connect("postgresql://127.0.0.1:5432/test", autocommit=True) as connection:
        for name in databases:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--production", action="store_true", help="PostgreSQL + Redis")
    parser.add_argument("--replicas", type=int, default=2, help="Rasa servers (production)")
    parser.add_argument("--url", help="measure an assistant that is already running")
    parser.add_argument("--output", type=Path, help="default: var/bench/loadtest-<mode>.json")
    args = parser.parse_args()

    if args.url:
        results, elapsed = asyncio.run(run_load(args.url.rstrip("/"), args.users, args.seconds))
        summary = report(results, elapsed, args.users, f"running assistant at {args.url}")
    else:
        from tests.integration.conftest import start_assistant, stop_assistant

        env, databases = production_environment(args.replicas) if args.production else ({}, [])
        # Every simulated visitor comes from this one address: lift the per-address limit.
        env["TALENTDESK_WEB__RATE_LIMIT_PER_IP"] = "1000000/minute"
        mode = f"production, {args.replicas} Rasa servers" if args.production else "embedded"
        try:
            with tempfile.TemporaryDirectory(prefix="talentdesk-load-") as tmp:
                print(f"starting the assistant ({mode})...", flush=True)
                assistant = start_assistant(Path(tmp), extra_env=env)
                try:
                    results, elapsed = asyncio.run(
                        run_load(assistant.settings.web.url, args.users, args.seconds)
                    )
                    memory = process_memory(assistant.run_dir)
                finally:
                    stop_assistant(assistant)
        finally:
            if databases:
                drop_databases(databases)
        summary = report(results, elapsed, args.users, mode)
        summary["memory_mb"] = memory
    print_report(summary)
    if args.output is None:
        name = "production" if args.production else ("url" if args.url else "embedded")
        args.output = PROJECT_ROOT / "var" / "bench" / f"loadtest-{name}.json"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    print(f"report: {args.output}")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
