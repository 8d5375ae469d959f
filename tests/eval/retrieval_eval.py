"""Retrieval evaluation: ``python -m tests.eval.retrieval_eval`` (part of ``make eval``).

Runs every question of ``tests/eval/retrieval/*.yml`` through the real knowledge index (the
real embedding model) and reports hit@1, hit@3 and MRR per language, the out-of-scope rejection
rate at the configured thresholds, and the thresholds that would reject 90% of out-of-scope
questions with the share of in-scope questions still answered. Writes a JSON report.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import yaml

from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import embedder_for
from actions.knowledge.text import has_chinese
from bot.language.registry import LanguageRegistry
from bot.settings import Settings

EVAL_DIR = Path(__file__).parent / "retrieval"
TARGET_REJECTION = 0.90


def load_eval_set() -> tuple[list[dict], list[dict]]:
    questions: list[dict] = []
    out_of_scope: list[dict] = []
    for path in sorted(EVAL_DIR.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        questions += data.get("questions", [])
        out_of_scope += data.get("out_of_scope", [])
    return questions, out_of_scope


def evaluate(base: KnowledgeBase, settings: Settings) -> dict:
    questions, out_of_scope = load_eval_set()
    known = {entry.id for entry in base.entries}
    unknown = sorted({q["expected"] for q in questions} - known)
    if unknown:
        raise SystemExit(f"eval questions expect entries that do not exist: {unknown}")
    thresholds = {
        False: settings.knowledge.min_confidence_latin,
        True: settings.knowledge.min_confidence_chinese,
    }
    per_language: dict[str, dict] = {}
    in_scope_confidence: dict[bool, list[float]] = defaultdict(list)
    misses: list[dict] = []
    grouped: dict[str, list[dict]] = defaultdict(list)
    for question in questions:
        grouped[question["lang"]].append(question)
    latencies: list[float] = []
    for language, items in sorted(grouped.items()):
        ranks, answered = [], 0
        for question in items:
            started = time.perf_counter()
            hits = base.search(question["text"], k=10)
            latencies.append(time.perf_counter() - started)
            ids = [hit.entry.id for hit in hits]
            rank = ids.index(question["expected"]) + 1 if question["expected"] in ids else 0
            ranks.append(rank)
            chinese = has_chinese(question["text"])
            in_scope_confidence[chinese].append(hits[0].confidence)
            answered += hits[0].confidence >= thresholds[chinese]
            if rank != 1:
                misses.append(
                    {
                        "text": question["text"],
                        "expected": question["expected"],
                        "got": ids[:3],
                        "rank": rank,
                    }
                )
        ranks_array = np.array(ranks)
        per_language[language] = {
            "questions": len(items),
            "hit@1": round(float(np.mean(ranks_array == 1)), 3),
            "hit@3": round(float(np.mean((ranks_array >= 1) & (ranks_array <= 3))), 3),
            "mrr": round(float(np.mean([1 / r if r else 0.0 for r in ranks])), 3),
            "answered_confidently": round(answered / len(items), 3),
        }

    oos_confidence: dict[bool, list[float]] = defaultdict(list)
    rejection: dict[str, list[bool]] = defaultdict(list)
    for question in out_of_scope:
        best = base.search(question["text"], k=1)
        chinese = has_chinese(question["text"])
        score = best[0].confidence if best else 0.0
        oos_confidence[chinese].append(score)
        rejection[question["lang"]].append(score < thresholds[chinese])

    calibration = {}
    for chinese, scores in oos_confidence.items():
        ordered = np.sort(scores)
        threshold = float(ordered[int(np.ceil(TARGET_REJECTION * len(ordered))) - 1]) + 1e-3
        kept = np.array(in_scope_confidence[chinese])
        calibration["chinese" if chinese else "latin"] = {
            "threshold_for_90pct_rejection": round(threshold, 3),
            "in_scope_answered_at_that_threshold": round(float(np.mean(kept >= threshold)), 3),
            "configured_threshold": thresholds[chinese],
        }
    return {
        "entries": len(known),
        "per_language": per_language,
        "out_of_scope": {
            language: {"questions": len(values), "rejected": round(float(np.mean(values)), 3)}
            for language, values in sorted(rejection.items())
        },
        "calibration": calibration,
        "search_latency_ms": {
            "p50": round(float(np.percentile(latencies, 50)) * 1000, 2),
            "p95": round(float(np.percentile(latencies, 95)) * 1000, 2),
        },
        "misses": misses,
    }


def main() -> int:
    settings = Settings()
    output = settings.var_path / "eval" / "retrieval.json"
    with tempfile.TemporaryDirectory() as index_dir:
        base = KnowledgeBase(
            settings.path(settings.knowledge.folder),
            Path(index_dir),
            embedder_for(settings.knowledge),
            LanguageRegistry.load().codes,
        )
        base.warm_up()
        report = evaluate(base, settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Retrieval ({report['entries']} entries)")
    print(f"  {'lang':<5}{'n':>5}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}{'answered':>10}")
    for language, row in report["per_language"].items():
        print(
            f"  {language:<5}{row['questions']:>5}{row['hit@1']:>8.3f}{row['hit@3']:>8.3f}"
            f"{row['mrr']:>8.3f}{row['answered_confidently']:>10.3f}"
        )
    for language, row in report["out_of_scope"].items():
        print(f"  out of scope {language}: {row['rejected']:.3f} of {row['questions']} rejected")
    for script, row in report["calibration"].items():
        print(
            f"  calibration {script}: threshold {row['threshold_for_90pct_rejection']} rejects 90%"
            f" of out-of-scope and answers {row['in_scope_answered_at_that_threshold']:.3f}"
            f" of in-scope (configured: {row['configured_threshold']})"
        )
    print(
        f"  search latency p50 {report['search_latency_ms']['p50']} ms,"
        f" p95 {report['search_latency_ms']['p95']} ms"
    )
    print(f"  report: {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
