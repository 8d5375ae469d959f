"""The load test's report: printed, and kept in ``var/bench/loadtest.json`` by mode."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HEADLINE = ("users", "seconds", "sent", "answered", "lost", "duplicated", "msg_per_s")


def print_summary(mode: str, summary: dict[str, Any]) -> None:
    print(f"\n{mode}: " + ", ".join(f"{key} {summary[key]}" for key in HEADLINE))
    print(
        f"latency (first send to answer, retries included): p50 {summary['p50_s']} s, "
        f"p95 {summary['p95_s']} s, p99 {summary['p99_s']} s"
    )
    print(f"{'channel':<12}" + "".join(f"{k:>11}" for k in _CHANNEL_COLUMNS))
    for channel, row in summary["by_channel"].items():
        print(f"{channel:<12}" + "".join(f"{row.get(k, 0):>11}" for k in _CHANNEL_COLUMNS))
    print(f"{'kind':<14}{'count':>7}{'p50 s':>9}{'p95 s':>9}{'p99 s':>9}")
    for kind, row in summary["by_kind"].items():
        print(f"{kind:<14}{row['count']:>7}{row['p50_s']:>9}{row['p95_s']:>9}{row['p99_s']:>9}")
    print(f"errors (each retry or apology counted): {summary['errors'] or 'none'}")
    for fault in summary.get("faults", []):
        recovered = fault.get("recovered_at_s", "-")
        print(f"  {fault['at_s']:>6} s  {fault['fault']}: {fault['detail']} (back at {recovered})")
    if summary.get("memory_mb"):
        print("memory (RSS MB): " + ", ".join(f"{k} {v}" for k, v in summary["memory_mb"].items()))


_CHANNEL_COLUMNS = ("sent", "answered", "lost", "duplicated", "retried", "apologies")


def save(path: Path, mode: str, summary: dict[str, Any]) -> None:
    """Writes ``summary`` under ``mode`` in ``path``, keeping the other modes' figures."""
    path.parent.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {}
    if path.exists():
        try:
            report = json.loads(path.read_text())
        except json.JSONDecodeError:
            report = {}
    report[mode] = summary
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
