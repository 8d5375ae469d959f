"""Load test: ``python -m tests.load.loadtest`` (``make loadtest``).

Starts the whole assistant the way ``make run`` does, with the real Telegram bot long-polling a
fake Bot API server, and runs ``--users`` simulated users at once for ``--seconds``: 40 % on the
JSON API, 40 % on the websocket (with the widget's HTTP fallback), 20 % on Telegram. Each
repeats a realistic conversation (a greeting, knowledge questions in English, Chinese, French
and Russian, a question nobody can answer, thanks) and counts, by client message id, every
reply it gets (see :mod:`tests.load.tally`): ``lost`` and ``duplicated`` must both be 0.

Embedded mode first, then production mode: two Rasa servers, two gateways, PostgreSQL
databases and a Redis server of the run's own, and faults injected during the run (the action
server killed, Redis restarted, the app's PostgreSQL connections terminated, a gateway
restarted, a Rasa server killed). Writes ``var/bench/loadtest.json``; exits 1 when a message
was lost or answered twice.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import PROJECT_ROOT
from tests.load.clients import CONVERSATION, Load, api_user, new_session, socket_user
from tests.load.faults import Fault, run_faults
from tests.load.report import print_summary, save
from tests.load.stack import Stack, production_faults, running_stack
from tests.load.tally import Tally
from tests.load.telegram_users import (
    READING_SECONDS,
    TelegramRecorder,
    count_replies,
    telegram_user,
)

# After the last new message, how long a message may still take (retries included).
RETRY_BUDGET_SECONDS = 300.0


def split_users(users: int) -> tuple[int, int, int]:
    """JSON API, websocket and Telegram users (at least one of each from three users)."""
    telegram = max(1, users // 5) if users >= 3 else 0
    sockets = (users - telegram) // 2
    return users - telegram - sockets, sockets, telegram


async def warm_up(gateways: list[str]) -> None:
    """One conversation on each gateway, so loading models is not measured."""
    async with httpx.AsyncClient(timeout=300) as client:
        for gateway in gateways:
            load = Load([gateway], Tally(), deadline=time.monotonic() + 600)
            session, _ = await new_session(client, load, 0)
            for _, text in CONVERSATION:
                body = {"session": session, "text": text, "id": f"warm-{uuid.uuid4().hex}"}
                await client.post(f"{gateway}/api/chat", json=body)


async def run_load(
    stack: Stack, users: int, seconds: float, faults: list[Fault]
) -> tuple[Tally, list[dict[str, Any]], float]:
    await warm_up(stack.gateways)
    tally = Tally()
    started = tally.started
    load = Load(stack.gateways, tally, started + seconds, RETRY_BUDGET_SECONDS)
    recorder = TelegramRecorder(stack.fake, asyncio.get_running_loop())
    api, sockets, telegram = split_users(users)
    limits = httpx.Limits(max_connections=users * 2, max_keepalive_connections=users)
    async with httpx.AsyncClient(timeout=90, limits=limits) as client:
        visitors = [
            *(api_user(client, load, i) for i in range(api)),
            *(socket_user(client, load, i) for i in range(sockets)),
            *(telegram_user(load, recorder, i) for i in range(telegram)),
        ]
        fault_task = asyncio.create_task(
            run_faults(faults, started, started + seconds + RETRY_BUDGET_SECONDS)
        )
        outcomes = await asyncio.gather(*visitors, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                tally.error(f"a simulated user stopped: {outcome!r}")
        await asyncio.sleep(2 * READING_SECONDS)  # the bot's last messages
        count_replies(load, recorder)
        wall = time.monotonic() - started
        fault_task.cancel()
        records = [fault.record for fault in faults if fault.record]
    return tally, records, wall


def run_mode(production: bool, users: int, seconds: float, output: Path) -> dict[str, Any]:
    mode = "production" if production else "embedded"
    with tempfile.TemporaryDirectory(prefix=f"talentdesk-load-{mode}-") as tmp:
        print(f"starting the assistant ({mode})...", flush=True)
        with running_stack(Path(tmp), production) as stack:
            faults = production_faults(stack, seconds) if production else []
            print(f"{users} users for {seconds:.0f} s on {', '.join(stack.gateways)}", flush=True)
            try:
                tally, records, wall = asyncio.run(run_load(stack, users, seconds, faults))
                memory = stack.memory_mb()
            finally:
                # The services' log of the run, for whoever reads the figures.
                log = output.with_name(f"loadtest-{mode}.log")
                log.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(stack.assistant.log_path, log)
    summary: dict[str, Any] = {"users": users, "seconds": seconds, **tally.summary()}
    api, sockets, telegram = split_users(users)
    summary.update(
        {
            "wall_seconds": round(wall, 1),
            "users_by_channel": {"api": api, "websocket": sockets, "telegram": telegram},
            "gateways": len(stack.gateways),
            "faults": records,
            "memory_mb": memory,
        }
    )
    print_summary(mode, summary)
    save(output, mode, summary)
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--mode", choices=["embedded", "production", "both"], default="both")
    parser.add_argument(
        "--output", type=Path, default=PROJECT_ROOT / "var" / "bench" / "loadtest.json"
    )
    args = parser.parse_args()
    modes = ["embedded", "production"] if args.mode == "both" else [args.mode]
    failed = False
    for mode in modes:
        summary = run_mode(mode == "production", args.users, args.seconds, args.output)
        failed |= bool(summary["lost"] or summary["duplicated"])
    print(f"report: {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
