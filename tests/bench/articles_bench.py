"""Articles: ingestion time per page and passage search latency (part of ``make bench``)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np

from actions.knowledge.articles.store import PassageIndex
from actions.knowledge.embedder import Embedder

# Questions the articles answer, in English and Chinese (latency only; quality is `make eval`).
QUERIES = [
    "What is the fine per day for overstaying in China?",
    "When is the deadline for the annual tax reconciliation?",
    "Which insurances does the employer pay alone?",
    "How many counters does the service hall have?",
    "非法居留每天罚款多少？",
    "年度汇算什么时候办理？",
    "外国人离境时社保个人账户怎么办？",
]


def bench_articles(folder: Path, embedder: Embedder, repeats: int = 5) -> dict[str, float]:
    """Builds a passage index from nothing (no cached vectors), then from the cache, and times
    searches. ``embedder`` must be warmed up."""
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        index = PassageIndex(folder, Path(cache), embedder)
        cold = index.refresh()
        cold_s = time.perf_counter() - started
        warm = PassageIndex(folder, Path(cache), embedder).refresh()
        unchanged = index.refresh()
    timings = []
    for _ in range(repeats):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(query, 3)
            timings.append(time.perf_counter() - started)
    return {
        "documents": cold.documents,
        "pages": cold.pages,
        "passages": cold.passages,
        "ingest_cold_s": round(cold_s, 2),
        "ingest_cold_s_per_page": round(cold_s / max(cold.pages, 1), 3),
        "ingest_cached_vectors_s": round(warm.seconds, 2),
        "refresh_unchanged_ms": round(unchanged.seconds * 1000, 1),
        "search_queries": len(timings),
        "search_p50_ms": round(float(np.percentile(timings, 50)) * 1000, 2),
        "search_p95_ms": round(float(np.percentile(timings, 95)) * 1000, 2),
    }
