"""Retrieval benchmark: ``python -m tests.bench.retrieval_bench`` (part of ``make bench``).

Measures, with the real embedding model: index build time and search latency (p50/p95) over the
real knowledge base, and over a generated base of ``--entries`` entries (default 10,000) made by
varying the real ones, so the vocabulary and lengths are realistic. Writes a JSON report.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import resource
import time
from datetime import date

import numpy as np

from actions.knowledge.embedder import embedder_for
from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.index import KnowledgeIndex
from actions.knowledge.loader import ARTICLES_FOLDER, load_knowledge
from actions.knowledge.synonyms import SynonymTable
from bot.language.registry import LanguageRegistry
from bot.settings import Settings
from tests.bench.articles_bench import bench_articles
from tests.eval.retrieval_eval import load_eval_set

PLACES = ["Changsha", "Wangcheng", "Yuelu", "Furong", "Tianxin", "Kaifu", "Yuhua", "Liuyang"]
PLACES_ZH = ["长沙", "望城", "岳麓", "芙蓉", "天心", "开福", "雨花", "浏阳"]


def generated_entries(
    real: list[KnowledgeEntry], count: int, seed: int = 7
) -> list[KnowledgeEntry]:
    """``count`` entries: the real ones, then variants of them for other districts."""
    rng = random.Random(seed)
    entries = list(real)
    while len(entries) < count:
        base = rng.choice(real)
        n = len(entries)
        place, place_zh = rng.choice(PLACES), rng.choice(PLACES_ZH)
        entries.append(
            dataclasses.replace(
                base,
                id=f"{base.id}-{n}",
                title={
                    "en": f"{base.title['en']} ({place} {n})",
                    "zh": f"{base.title['zh']}（{place_zh}{n}）",
                },
                questions={
                    lang: [f"{q} in {place}" if lang == "en" else f"{place_zh}{q}" for q in qs]
                    for lang, qs in base.questions.items()
                },
                answers={lang: f"{text} ({place} {n})" for lang, text in base.answers.items()},
            )
        )
    return entries


def measure(index: KnowledgeIndex, queries: list[str], repeats: int = 2) -> dict[str, float]:
    timings = []
    for _ in range(repeats):
        for query in queries:
            started = time.perf_counter()
            index.search(query, k=5)
            timings.append(time.perf_counter() - started)
    return {
        "queries": len(timings),
        "p50_ms": round(float(np.percentile(timings, 50)) * 1000, 2),
        "p95_ms": round(float(np.percentile(timings, 95)) * 1000, 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    args = parser.parse_args()
    settings = Settings()
    real = load_knowledge(
        settings.path(settings.knowledge.folder), LanguageRegistry.load().codes, date.today()
    ).entries
    synonyms = SynonymTable.load(settings.path(settings.knowledge.folder) / "synonyms.yml")
    embedder = embedder_for(settings.knowledge)
    started = time.perf_counter()
    embedder.warm_up()
    model_load = time.perf_counter() - started
    questions, out_of_scope = load_eval_set()
    queries = [q["text"] for q in questions + out_of_scope]

    report: dict[str, object] = {"model_load_s": round(model_load, 2)}
    for name, entries in (("real", real), ("generated", generated_entries(real, args.entries))):
        started = time.perf_counter()
        index = KnowledgeIndex.build(entries, embedder, synonyms=synonyms)
        build = time.perf_counter() - started
        report[name] = {
            "entries": len(entries),
            "documents": index.faiss_index.ntotal,
            "build_s": round(build, 1),
            **measure(index, queries),
        }
        print(
            f"{name:>10}: {len(entries):>6} entries, {index.faiss_index.ntotal:>7} vectors, "
            f"build {build:7.1f} s, search p50 {report[name]['p50_ms']} ms, "  # type: ignore[index]
            f"p95 {report[name]['p95_ms']} ms"
        )  # type: ignore[index]
    report["articles"] = bench_articles(
        settings.path(settings.knowledge.folder) / ARTICLES_FOLDER, embedder
    )
    print(f"  articles: {report['articles']}")
    report["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(f"peak memory {report['max_rss_mb']} MB, model load {model_load:.1f} s")
    output = settings.var_path / "bench" / "retrieval.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"report: {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
