"""NLU evaluation: ``python -m tests.eval.nlu_eval`` (part of ``make eval``).

Scores the trained Rasa model (``models/talentdesk.tar.gz``) on the held-out set
``tests/eval/nlu/heldout.yml`` (written separately from the training data) and reports intent
macro-F1 separately for English and Chinese. It also sends the 308 questions of the retrieval
evaluation through NLU and reports how many reach the knowledge base (the intents whose action
searches it), so new dialogue intents cannot silently steal knowledge questions.

``--compare tests/eval/nlu/configs/diet.yml`` trains an NLU-only model per pipeline config and
scores each on the same sets (a few minutes per config on 2 cores).

Rasa runs in its own environment: this script shells out to ``.venv-rasa/bin/rasa test nlu``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from actions.knowledge.text import has_chinese
from tests.eval.retrieval_eval import load_eval_set

ROOT = Path(__file__).resolve().parents[2]
HELDOUT = Path(__file__).parent / "nlu" / "heldout.yml"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = ROOT / "models" / "talentdesk.tar.gz"
REPORT = ROOT / "var" / "eval" / "nlu.json"
TARGET_F1 = 0.90
# Intents whose action answers from the knowledge base when it is confident (see nlu/rules).
KNOWLEDGE_INTENTS = {"ask_knowledge", "documents_needed", "hall_hours_location"}
REACHES_KNOWLEDGE = KNOWLEDGE_INTENTS | {"nlu_fallback", "inform", "out_of_scope"}


def rasa_env() -> dict[str, str]:
    return dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        HF_HUB_OFFLINE="1",
        TRANSFORMERS_OFFLINE="1",
    )


def routing_file(folder: Path) -> Path:
    """The retrieval evaluation's questions as an NLU file labelled ``ask_knowledge``."""
    questions, _ = load_eval_set()
    texts = sorted({q["text"].replace("\n", " ").strip() for q in questions})
    path = folder / "routing.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "version": "3.1",
                "nlu": [
                    {
                        "intent": "ask_knowledge",
                        "examples": "".join(f"- {text}\n" for text in texts),
                    }
                ],
            },
            allow_unicode=True,
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    return path


def predict(model: Path, test_data: Path, out: Path) -> list[dict]:
    """Every example of ``test_data`` (a file or folder) with the model's intent prediction."""
    command = [
        str(RASA),
        "test",
        "nlu",
        "--model",
        str(model),
        "--nlu",
        str(test_data),
        "--out",
        str(out),
        "--successes",
        "--no-plot",
    ]
    subprocess.run(command, cwd=ROOT, env=rasa_env(), check=True, capture_output=True)
    results: list[dict] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = out / name
        if path.exists():
            results += json.loads(path.read_text(encoding="utf-8"))
    return results


def macro_f1(pairs: list[tuple[str, str]]) -> tuple[float, dict[str, float]]:
    """Macro-F1 over the gold intents of ``(gold, predicted)`` pairs, and F1 per intent."""
    true_positive: Counter[str] = Counter()
    predicted: Counter[str] = Counter()
    gold: Counter[str] = Counter()
    for expected, got in pairs:
        gold[expected] += 1
        predicted[got] += 1
        true_positive[expected] += expected == got
    per_intent = {}
    for intent in sorted(gold):
        precision = true_positive[intent] / predicted[intent] if predicted[intent] else 0.0
        recall = true_positive[intent] / gold[intent]
        total = precision + recall
        per_intent[intent] = round(2 * precision * recall / total, 4) if total else 0.0
    return round(sum(per_intent.values()) / len(per_intent), 4), per_intent


# A held-out NLU file and its language (None: English or Chinese, judged by script).
Heldout = tuple[Path, str | None]


def heldout_sets(report: Path | None = None) -> list[Heldout]:
    """The held-out NLU files: ours, or the frozen report set's ``nlu/<lang>.yml``."""
    if report is None:
        return [(HELDOUT, None)]
    return [(path, path.stem) for path in sorted((report / "nlu").glob("*.yml"))]


def heldout_texts(heldouts: list[Heldout]) -> dict[str, str]:
    """Each held-out text with its language."""
    texts: dict[str, str] = {}
    for path, language in heldouts:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for block in data["nlu"]:
            for line in block["examples"].splitlines():
                if line.startswith("- "):
                    text = line[2:].strip()
                    texts[text] = language or ("zh" if has_chinese(text) else "en")
    return texts


def score(model: Path, folder: Path, heldouts: list[Heldout] | None = None) -> dict:
    # One `rasa test nlu` run over all files: loading the model is the slow part.
    heldouts = heldouts or heldout_sets()
    data = folder / "data"
    data.mkdir(parents=True)
    for position, (path, _) in enumerate(heldouts):
        (data / f"heldout_{position}.yml").write_text(
            path.read_text(encoding="utf-8"), encoding="utf-8"
        )
    routing_file(data)
    predictions = predict(model, data, folder / "out")
    held = heldout_texts(heldouts)
    heldout = [item for item in predictions if item["text"] in held]
    routing = [item for item in predictions if item["text"] not in held]
    by_language: dict[str, list[tuple[str, str]]] = defaultdict(list)
    errors = []
    for item in heldout:
        language = held[item["text"]]
        got = item["intent_prediction"]["name"]
        by_language[language].append((item["intent"], got))
        if got != item["intent"]:
            errors.append({"text": item["text"], "expected": item["intent"], "predicted": got})
    languages = {}
    for language, pairs in sorted(by_language.items()):
        f1, per_intent = macro_f1(pairs)
        accuracy = sum(a == b for a, b in pairs) / len(pairs)
        languages[language] = {
            "examples": len(pairs),
            "macro_f1": f1,
            "accuracy": round(accuracy, 4),
            "f1_per_intent": per_intent,
        }
    routed: dict[str, Counter[str]] = defaultdict(Counter)
    misrouted = []
    for item in routing:
        language = "zh" if has_chinese(item["text"]) else "en"
        got = item["intent_prediction"]["name"]
        routed[language][got] += 1
        if got not in REACHES_KNOWLEDGE:
            misrouted.append({"text": item["text"], "predicted": got})
    routing_report = {}
    for language, counts in sorted(routed.items()):
        total = sum(counts.values())
        routing_report[language] = {
            "questions": total,
            "knowledge_intent": round(sum(counts[i] for i in KNOWLEDGE_INTENTS) / total, 4),
            "reaches_knowledge": round(sum(counts[i] for i in REACHES_KNOWLEDGE) / total, 4),
            "predicted": dict(counts.most_common()),
        }
    return {
        "languages": languages,
        "errors": errors,
        "knowledge_routing": routing_report,
        "knowledge_questions_misrouted": misrouted,
    }


def train_nlu(config: Path, folder: Path) -> Path:
    command = [
        str(RASA),
        "train",
        "nlu",
        "--config",
        str(config),
        "--nlu",
        "nlu/nlu",
        "--out",
        str(folder),
        "--fixed-model-name",
        config.stem,
    ]
    subprocess.run(command, cwd=ROOT, env=rasa_env(), check=True, capture_output=True)
    return folder / f"{config.stem}.tar.gz"


def print_report(name: str, report: dict) -> None:
    print(f"\n{name}")
    print("  language  examples  intent macro-F1  accuracy")
    for language, row in report["languages"].items():
        mark = "" if row["macro_f1"] >= TARGET_F1 else f"  (below {TARGET_F1})"
        print(
            f"  {language:8}  {row['examples']:8}  {row['macro_f1']:15.3f}  "
            f"{row['accuracy']:8.3f}{mark}"
        )
    print("  retrieval-eval questions: to a knowledge intent / reach the knowledge base")
    for language, row in report["knowledge_routing"].items():
        print(
            f"  {language:8}  {row['questions']:8}  {row['knowledge_intent']:.3f} / "
            f"{row['reaches_knowledge']:.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument(
        "--compare",
        type=Path,
        nargs="*",
        default=[],
        help="NLU pipeline configs to train and score side by side",
    )
    parser.add_argument(
        "--report",
        type=Path,
        nargs="?",
        const=ROOT / "tests" / "eval" / "report",
        default=None,
        help="score the frozen report set's nlu/<lang>.yml files instead of our held-out set",
    )
    args = parser.parse_args(argv)
    heldouts = heldout_sets(args.report)
    if not args.model.exists():
        print(f"{args.model} is missing: run `make model` first", file=sys.stderr)
        return 1
    reports: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        started = time.monotonic()
        reports["config.yml (trained model)"] = score(args.model, folder / "main", heldouts)
        for config in args.compare:
            model = train_nlu(config.resolve(), folder / "models")
            reports[str(config)] = score(model, folder / config.stem, heldouts)
    for name, report in reports.items():
        print_report(name, report)
    main_report = next(iter(reports.values()))
    result = {
        "heldout": [str(path) for path, _ in heldouts],
        "target_macro_f1": TARGET_F1,
        **main_report,
        "comparison": {
            name: {lang: row["macro_f1"] for lang, row in report["languages"].items()}
            | {
                "routing": {
                    k: v["reaches_knowledge"] for k, v in report["knowledge_routing"].items()
                }
            }
            for name, report in reports.items()
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten: {REPORT.relative_to(ROOT)}")
    below = [lang for lang, row in main_report["languages"].items() if row["macro_f1"] < TARGET_F1]
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
