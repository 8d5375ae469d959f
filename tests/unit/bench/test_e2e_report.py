"""The end-to-end benchmark's arithmetic and reports, on made-up measurements."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.bench.e2e_bench import cpu_per_message
from tests.bench.report import comparison, draw_png, markdown
from tests.bench.stages import breakdown


def cell(target: str, language: str, users: int, p50: float, rps: float) -> dict:
    return {
        "target": target,
        "language": language,
        "users": users,
        "requests": 100,
        "errors": {},
        "seconds": 10.0,
        "mean_ms": p50,
        "p50_ms": p50,
        "p95_ms": p50 * 2,
        "throughput_rps": rps,
    }


CELLS = [
    cell("gateway", "en", 1, 110, 9.0),
    cell("rasa", "en", 1, 100, 10.0),
    cell("gateway", "en", 50, 1300, 8.0),
    cell("rasa", "en", 50, 1000, 10.0),
]


def test_breakdown_splits_the_mean_message_into_stages() -> None:
    gateway_before = {("talentdesk_stage_seconds_sum", "rasa"): 5.0}
    gateway_after = {
        ("talentdesk_stage_seconds_sum", "language_id"): 0.1,
        ("talentdesk_stage_seconds_sum", "translate_in"): 0.2,
        ("talentdesk_stage_seconds_sum", "rasa"): 5.0 + 8.0,
        ("talentdesk_stage_seconds_sum", "translate_out"): 0.3,
        ("talentdesk_stage_seconds_sum", "turn"): 9.0,
    }
    actions_after = {
        ("talentdesk_action_seconds_sum", "action_a"): 2.0,
        ("talentdesk_action_seconds_sum", "action_b"): 1.0,
        ("talentdesk_retrieval_seconds_sum", ""): 1.5,
    }
    stages = breakdown((gateway_before, gateway_after), ({}, actions_after), 10, 1.0)

    assert stages["rasa_call"] == 800.0
    assert stages["action_and_retrieval"] == 300.0
    assert stages["rasa_without_actions"] == 500.0
    assert stages["retrieval"] == 150.0
    assert stages["translation"] == 50.0
    assert stages["gateway_overhead"] == 1000.0 - 10 - 20 - 800 - 30
    assert stages["gateway_in_turn"] == 900.0 - 860.0
    assert stages["gateway_around_turn"] == 100.0


def test_comparison_checks_both_targets() -> None:
    result = comparison(CELLS, ["en"], [1, 50])

    assert result["gateway_vs_rasa_p50"] == {"1": {"en": 1.1}, "50": {"en": 1.3}}
    assert result["gateway_vs_rasa_throughput_50"] == {"en": 0.8}
    assert result["targets"]["p50_met"] is False  # 1.3 at 50 users
    assert result["targets"]["throughput_met"] is False  # 0.8 < 0.85


def test_markdown_and_png(tmp_path: Path) -> None:
    stage_keys = [
        "end_to_end", "language_id", "translation", "rasa_without_actions",
        "action_and_retrieval", "retrieval", "gateway_overhead",
    ]  # fmt: skip
    report = {
        "languages": ["en"],
        "users": [1, 50],
        "cells": CELLS,
        "comparison": comparison(CELLS, ["en"], [1, 50]),
        "stages_ms": {"en": dict.fromkeys(stage_keys, 1.0)},
        "peak_memory_mb": {"gateway": 800.0, "rasa": 1000.0},
        "cold_start_s": 120.0,
    }
    table = markdown(report)
    assert "| English | 50 | 1300 / 2600 | 1000 / 2000 | 8.0 / 10.0 | 1.3 | 0.8 |" in table
    assert "gateway 800 MB" in table

    draw_png(report, str(tmp_path / "bench.png"))
    with Image.open(tmp_path / "bench.png") as image:
        assert image.format == "PNG" and image.width > 0


def test_cpu_per_message_is_the_difference_of_each_process_over_the_answers() -> None:
    before = {"gateway": 10.0, "rasa": 100.0, "load generator": 1.0}
    after = {"gateway": 11.5, "rasa": 120.0, "load generator": 1.5, "actions": 3.0}

    assert cpu_per_message(before, after, 100) == {
        "gateway": 15.0,
        "rasa": 200.0,
        "load generator": 5.0,
    }
    assert cpu_per_message(before, after, 0) == {}


def test_the_tables_show_cpu_per_message_at_the_highest_concurrency() -> None:
    cells = [dict(c) for c in CELLS]
    for c in cells:
        c["cpu_ms_per_message"] = {"gateway": 15.0 if c["target"] == "gateway" else 0.5}
    report = {
        "languages": ["en"],
        "users": [1, 50],
        "cells": cells,
        "comparison": comparison(cells, ["en"], [1, 50]),
        "stages_ms": {},
        "peak_memory_mb": {},
        "cold_start_s": 1.0,
    }
    table = markdown(report)
    assert "| CPU ms per message, 50 users | gateway |" in table
    assert "| English, gateway | 15.0 |" in table
    assert "| English, rasa | 0.5 |" in table


def test_a_repeated_sweep_is_judged_by_the_median_of_its_paired_ratios() -> None:
    cells = []
    # Repeat 1's bare-Rasa cell ran unusually fast: one repeat must not decide the target.
    for repeat, (gateway_rps, rasa_rps) in enumerate([(9.0, 10.0), (9.0, 12.0), (9.5, 10.0)]):
        for c in (
            cell("gateway", "en", 50, 1000, gateway_rps),
            cell("rasa", "en", 50, 950, rasa_rps),
        ):
            cells.append(c | {"repeat": repeat})
    result = comparison(cells, ["en"], [50])

    ratios = result["ratios"]["en"]["50"]
    assert ratios["throughput_per_repeat"] == [0.9, 0.75, 0.95]
    assert ratios["throughput"] == 0.9
    assert result["targets"]["throughput_met"] is True
    report = {
        "languages": ["en"], "users": [50], "cells": cells, "comparison": result,
        "stages_ms": {}, "peak_memory_mb": {}, "cold_start_s": 1.0,
    }  # fmt: skip
    assert (
        "| English | 50 | 1000 / 2000 | 950 / 1900 | 9.0 / 10.0 | 1.053 (1.053, 1.053, 1.053) "
        "| 0.9 (0.9, 0.75, 0.95) |" in markdown(report)
    )
