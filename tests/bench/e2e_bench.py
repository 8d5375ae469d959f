"""End-to-end benchmark: ``python -m tests.bench.e2e_bench`` (first step of ``make bench``).

Starts the whole assistant as ``make run`` does (with fr<->en test translation packages), times
its cold start, then sends the same messages to the gateway's ``/api/chat`` and, in the same
run, to bare Rasa's REST webhook (the same Rasa server and action server), at 1, 10 and 50
concurrent users, in English, Chinese and French. The whole sweep runs three times by default
and each ratio is the median of the three. Reports p50/p95 latency and throughput of both,
where a message's time goes (from the gateway's and the action server's Prometheus histograms
during the first one-user runs), and each process's peak memory. Writes
``var/bench/bench.json``, ``bench.md`` and ``bench.png``.

Run it alone on the machine: ``make bench`` holds ``/tmp/talentdesk-measure.lock`` around it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.conversation.messages import NATIVE_LANGUAGES
from tests.bench.report import comparison, draw_png, markdown
from tests.bench.stack import Stack, cpu_seconds, peak_memory_mb, scrape, start_stack
from tests.bench.stages import breakdown, delta
from tests.bench.traffic import MESSAGES, BareRasa, Gateway, Target, run_cell, warm_up
from tests.conftest import PROJECT_ROOT


def requests_for(users: int, scale: float) -> int:
    """Messages per cell: 40 at least, 3 per user at 50 users (150). This machine answers
    about 1.5 messages a second, so the whole bench stays near 15 minutes."""
    return max(round(40 * scale), round(3 * users * scale), users)


def cpu_per_message(
    before: dict[str, float], after: dict[str, float], messages: int
) -> dict[str, float]:
    """Mean CPU milliseconds per answered message, by process: where the two cores go."""
    if not messages:
        return {}
    return {
        name: round((after[name] - before[name]) * 1000 / messages, 1)
        for name in after
        if name in before
    }


def _measure_cell(
    stack: Stack,
    target: Target,
    language: str,
    level: int,
    scale: float,
    stages: dict[str, dict[str, float]],
) -> dict:
    """One cell; the first one-user gateway cell of a language also records its stages."""
    requests = requests_for(level, scale)
    timing_stages = target.name == "gateway" and level == 1 and language not in stages
    if timing_stages:
        before = scrape(stack.gateway_url), scrape(stack.action_server_url)
    cpu_before = cpu_seconds(stack.assistant)
    cell = asyncio.run(run_cell(target, language, level, requests))
    summary = cell.summary()
    summary["cpu_ms_per_message"] = cpu_per_message(
        cpu_before, cpu_seconds(stack.assistant), len(cell.latencies)
    )
    if timing_stages and cell.latencies:
        after = scrape(stack.gateway_url), scrape(stack.action_server_url)
        stages[language] = breakdown(
            (before[0], after[0]),
            (before[1], after[1]),
            len(cell.latencies),
            sum(cell.latencies) / len(cell.latencies),
        )
    print(
        f"{target.name:>8} {language} {level:>2} users: {summary['requests']:>4} "
        f"answered, p50 {summary['p50_ms']} ms, p95 {summary['p95_ms']} ms, "
        f"{summary['throughput_rps']} msg/s, errors {summary['errors'] or 'none'}; "
        f"CPU ms/message {summary['cpu_ms_per_message']}",
        flush=True,
    )
    return summary


def measure(
    stack: Stack, languages: list[str], users: list[int], scale: float, repeats: int
) -> dict:
    gateway, rasa = Gateway(stack.gateway_url), BareRasa(stack.rasa_url)
    before_warm_up = scrape(stack.gateway_url)
    asyncio.run(warm_up([gateway, rasa], languages))
    # The warm-up is each reply's first translation; the cells then take replies from the
    # reply memory, as a hall does once an answer has been asked for in that language.
    translated = [m for lang in languages if lang not in NATIVE_LANGUAGES for m in MESSAGES[lang]]
    first_translation_s = delta(
        before_warm_up, scrape(stack.gateway_url), "talentdesk_stage_seconds_sum", "translate_out"
    )
    first_translation_ms = (
        round(first_translation_s * 1000 / len(translated), 2) if translated else None
    )
    cells: list[dict] = []
    stages: dict[str, dict[str, float]] = {}
    # The whole sweep is repeated, so a drift in the machine's load over minutes spreads over
    # every cell instead of deciding one; the comparison takes the median of the repeats.
    for repeat in range(repeats):
        for round_index, level in enumerate(users):
            for language_index, language in enumerate(languages):
                # Alternate which target goes first, so a drift in the machine's load is shared.
                first_gateway = (repeat + round_index + language_index) % 2 == 0
                targets: list[Target] = [gateway, rasa] if first_gateway else [rasa, gateway]
                for target in targets:
                    summary = _measure_cell(stack, target, language, level, scale, stages)
                    summary["repeat"] = repeat
                    cells.append(summary)
    return {
        "cells": cells,
        "stages_ms": stages,
        "first_reply_translation_ms": first_translation_ms,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="1,10,50", help="concurrency levels, comma-separated")
    parser.add_argument("--languages", default="en,zh,fr", help=f"of {', '.join(MESSAGES)}")
    parser.add_argument("--scale", type=float, default=1.0, help="multiplies requests per cell")
    parser.add_argument(
        "--repeats", type=int, default=3, help="sweeps; ratios are the median over them"
    )
    parser.add_argument("--output", type=Path, default=PROJECT_ROOT / "var" / "bench")
    args = parser.parse_args()
    users = [int(u) for u in args.users.split(",")]
    languages = args.languages.split(",")

    started = time.monotonic()
    report: dict[str, Any] = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "python": platform.python_version(),
        },
        "languages": languages,
        "users": users,
        "repeats": args.repeats,
        "requests_per_cell": {str(u): requests_for(u, args.scale) for u in users},
    }
    with tempfile.TemporaryDirectory(prefix="talentdesk-bench-") as tmp:
        print("starting the assistant...", flush=True)
        stack = start_stack(Path(tmp))
        print(f"ready after {stack.cold_start_s:.1f} s", flush=True)
        try:
            report.update(measure(stack, languages, users, args.scale, args.repeats))
            report["peak_memory_mb"] = peak_memory_mb(stack.assistant)
            # A service the supervisor restarted mid-run fails the cells it was down for.
            report["supervisor_restarts"] = [
                line for line in stack.assistant.log().splitlines() if "restarting" in line
            ]
        finally:
            stack.stop()
    report["cold_start_s"] = round(stack.cold_start_s, 1)
    report["comparison"] = comparison(report["cells"], languages, users)
    report["bench_seconds"] = round(time.monotonic() - started)

    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    table = markdown(report)
    (args.output / "bench.md").write_text(table, encoding="utf-8")
    draw_png(report, str(args.output / "bench.png"))
    print("\n" + table)
    print(json.dumps(report["comparison"]["targets"]))
    print(f"reports: {args.output}/bench.json, bench.md, bench.png")
    return 1 if any(cell["errors"] for cell in report["cells"]) else 0


if __name__ == "__main__":
    raise SystemExit(main())
