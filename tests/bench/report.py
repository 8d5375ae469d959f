"""The end-to-end benchmark's outputs: the comparison with bare Rasa, a Markdown table and a
PNG chart (drawn with Pillow, which the app environment already has)."""

from __future__ import annotations

from typing import Any

from PIL import Image, ImageDraw, ImageFont

# Targets of issue 13 on this machine.
MAX_P50_RATIO = 1.15
MIN_THROUGHPUT_RATIO = 0.85
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese", "fr": "French (translated)"}


def _cells(cells: list[dict], target: str, language: str, users: int) -> list[dict]:
    """The cell's measurements, one per repeat of the sweep, in repeat order."""
    found = [
        c
        for c in cells
        if c["target"] == target and c["language"] == language and c["users"] == users
    ]
    return sorted(found, key=lambda c: c.get("repeat", 0))


def _median(values: list[float | None]) -> float | None:
    present = sorted(v for v in values if v is not None)
    if not present:
        return None
    middle = len(present) // 2
    if len(present) % 2:
        return present[middle]
    return round((present[middle - 1] + present[middle]) / 2, 3)


def _cell(cells: list[dict], target: str, language: str, users: int) -> dict:
    """One target's cell, its figures the median over the repeats of the sweep."""
    repeats = _cells(cells, target, language, users)
    merged = dict(repeats[0])
    for key in ("p50_ms", "p95_ms", "throughput_rps"):
        merged[key] = _median([c[key] for c in repeats])
    return merged


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def _paired_ratios(cells: list[dict], language: str, users: int, key: str) -> list[float | None]:
    """Gateway / bare Rasa for each repeat: the two cells of a repeat ran back to back, so a
    drift in the machine's load touches both."""
    gateway = _cells(cells, "gateway", language, users)
    rasa = _cells(cells, "rasa", language, users)
    return [_ratio(g[key], r[key]) for g, r in zip(gateway, rasa, strict=True)]


def comparison(cells: list[dict], languages: list[str], users: list[int]) -> dict[str, Any]:
    """Gateway / bare Rasa ratios per language and concurrency, and whether targets are met.

    With the sweep repeated, a ratio is the median of the repeats' ratios (each repeat's two
    cells ran back to back); a single 50-user cell moved by more than the targets' margins
    between runs, so one cell decides nothing."""
    ratios: dict[str, dict[str, dict[str, float | None]]] = {}
    for language in languages:
        ratios[language] = {}
        for level in users:
            per_repeat = {
                name: _paired_ratios(cells, language, level, key)
                for name, key in (("p50", "p50_ms"), ("p95", "p95_ms"),
                                  ("throughput", "throughput_rps"))
            }  # fmt: skip
            ratios[language][str(level)] = {
                name: _median(values) for name, values in per_repeat.items()
            } | {f"{name}_per_repeat": values for name, values in per_repeat.items()}
    p50 = {
        str(level): {lang: ratios[lang][str(level)]["p50"] for lang in languages}
        for level in users
        if level in (1, 50)
    }
    top = str(max(users))
    throughput = {lang: ratios[lang][top]["throughput"] for lang in languages}
    p50_ok = all(r is not None and r <= MAX_P50_RATIO for per in p50.values() for r in per.values())
    throughput_ok = all(r is not None and r >= MIN_THROUGHPUT_RATIO for r in throughput.values())
    return {
        "ratios": ratios,
        "gateway_vs_rasa_p50": p50,
        f"gateway_vs_rasa_throughput_{top}": throughput,
        "targets": {
            "p50_ratio_max": MAX_P50_RATIO,
            "throughput_ratio_min": MIN_THROUGHPUT_RATIO,
            "p50_met": p50_ok,
            "throughput_met": throughput_ok,
        },
    }


def _with_repeats(ratio: dict[str, Any], name: str) -> str:
    """The median ratio, and each repeat's in brackets when the sweep was repeated."""
    repeats = ratio.get(f"{name}_per_repeat") or []
    if len(repeats) < 2:
        return str(ratio[name])
    return f"{ratio[name]} ({', '.join(str(r) for r in repeats)})"


def markdown(report: dict[str, Any]) -> str:
    """The tables the README shows."""
    languages, users = report["languages"], report["users"]
    ratios = report["comparison"]["ratios"]
    lines = [
        "| language | users | gateway p50 / p95 ms | bare Rasa p50 / p95 ms "
        "| gateway / Rasa msg/s | p50 ratio | throughput ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    for language in languages:
        for level in users:
            g = _cell(report["cells"], "gateway", language, level)
            r = _cell(report["cells"], "rasa", language, level)
            ratio = ratios[language][str(level)]
            lines.append(
                f"| {LANGUAGE_NAMES.get(language, language)} | {level} "
                f"| {g['p50_ms']} / {g['p95_ms']} | {r['p50_ms']} / {r['p95_ms']} "
                f"| {g['throughput_rps']} / {r['throughput_rps']} "
                f"| {_with_repeats(ratio, 'p50')} | {_with_repeats(ratio, 'throughput')} |"
            )
    stage_keys = [
        ("end_to_end", "end to end"),
        ("language_id", "language ID"),
        ("translation", "translation (test package, in + out)"),
        ("rasa_without_actions", "Rasa (NLU, dialogue, tracker)"),
        ("action_and_retrieval", "actions (incl. retrieval)"),
        ("retrieval", "of which retrieval"),
        ("gateway_overhead", "gateway's own overhead"),
    ]
    lines += [
        "",
        "| mean ms per message, 1 user | " + " | ".join(report["stages_ms"]) + " |",
        "|---|" + "---|" * len(report["stages_ms"]),
    ]
    for key, title in stage_keys:
        values = " | ".join(str(stages[key]) for stages in report["stages_ms"].values())
        lines.append(f"| {title} | {values} |")
    if report.get("first_reply_translation_ms") is not None:
        lines += [
            "",
            "Translating a reply the first time it is asked for in a language (the warm-up, "
            f"test package): {report['first_reply_translation_ms']} ms a message; after that "
            "it comes from the reply memory.",
        ]
    lines += _cpu_table(report)
    memory = ", ".join(f"{name} {mb:.0f} MB" for name, mb in report["peak_memory_mb"].items())
    lines += [
        "",
        f"Cold start to ready (`python -m bot run` until `/readyz` is 200): "
        f"{report['cold_start_s']:.1f} s. Peak memory (VmHWM): {memory}.",
    ]
    return "\n".join(lines) + "\n"


def _cpu_table(report: dict[str, Any]) -> list[str]:
    """CPU milliseconds per message by process at the highest concurrency: on two shared cores
    the gateway's cost is its own CPU plus what it makes Rasa and the actions spend."""
    top = max(report["users"])
    measured = [c for c in report["cells"] if c["users"] == top and c.get("cpu_ms_per_message")]
    if not measured:
        return []
    # One row per language and target, the mean over the repeats.
    cells = []
    for key in dict.fromkeys((c["language"], c["target"]) for c in measured):
        repeats = [c["cpu_ms_per_message"] for c in measured if (c["language"], c["target"]) == key]
        mean = {
            name: round(sum(r.get(name, 0.0) for r in repeats) / len(repeats), 1)
            for name in repeats[0]
        }
        cells.append({"language": key[0], "target": key[1], "cpu_ms_per_message": mean})
    processes = list(cells[0]["cpu_ms_per_message"])
    lines = [
        "",
        f"| CPU ms per message, {top} users | " + " | ".join(processes) + " |",
        "|---|" + "---|" * len(processes),
    ]
    for cell in cells:
        name = f"{LANGUAGE_NAMES.get(cell['language'], cell['language'])}, {cell['target']}"
        cpu = cell["cpu_ms_per_message"]
        lines.append(f"| {name} | " + " | ".join(str(cpu.get(p, "")) for p in processes) + " |")
    return lines


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # a Pillow without FreeType: the small bitmap font
        return ImageFont.load_default()


def draw_png(report: dict[str, Any], path: str) -> None:
    """Two bar charts, gateway beside bare Rasa: p50 latency and throughput per cell."""
    width, height, margin = 1400, 620, 70
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, small = _font(16), _font(12)
    colours = {"gateway": (31, 119, 180), "rasa": (255, 127, 14)}
    groups = [(lang, level) for lang in report["languages"] for level in report["users"]]
    panel_width = (width - 3 * margin) // 2
    for panel, (key, title) in enumerate(
        [("p50_ms", "p50 latency (ms, lower is better)"), ("throughput_rps", "messages/s")]
    ):
        left = margin + panel * (panel_width + margin)
        top, bottom = 60, height - 80
        values = [c[key] or 0 for c in report["cells"]]
        peak = max(values) * 1.1 or 1
        draw.text((left, 20), title, fill="black", font=font)
        for step in range(6):
            y = bottom - (bottom - top) * step / 5
            draw.line([(left, y), (left + panel_width, y)], fill=(225, 225, 225))
            draw.text((left - 55, y - 7), f"{peak * step / 5:.0f}", fill="black", font=small)
        slot = panel_width / len(groups)
        for index, (language, level) in enumerate(groups):
            for offset, target in enumerate(("gateway", "rasa")):
                value = _cell(report["cells"], target, language, level)[key] or 0
                x0 = left + index * slot + slot * 0.15 + offset * slot * 0.35
                y0 = bottom - (bottom - top) * value / peak
                draw.rectangle([x0, y0, x0 + slot * 0.33, bottom], fill=colours[target])
            label = f"{language} {level}u"
            draw.text(
                (left + index * slot + slot * 0.2, bottom + 8), label, fill="black", font=small
            )
    for offset, (target, colour) in enumerate(colours.items()):
        x = margin + offset * 200
        draw.rectangle([x, height - 40, x + 20, height - 25], fill=colour)
        name = "gateway /api/chat" if target == "gateway" else "bare Rasa webhook"
        draw.text((x + 28, height - 42), name, fill="black", font=font)
    image.save(path)
