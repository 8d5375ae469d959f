"""The live knowledge base: the entries of ``knowledge/``, their index, and its cache on disk.

The index is rebuilt only when the content or the embedding model changed (the manifest holds a
hash of both); embeddings are cached per text, so an edit re-embeds only what changed. While
the action server runs, a search first checks (at most every ``reload_interval`` seconds)
whether any file changed, and reloads if so. A bad file is skipped and reported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import faiss
import numpy as np

from actions.knowledge.articles.store import PassageHit, PassageIndex
from actions.knowledge.embedder import Embedder, Role
from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.facts import FACTS_FILE_NAME
from actions.knowledge.index import Hit, KnowledgeIndex, document_layout
from actions.knowledge.loader import (
    ARTICLES_FOLDER,
    LoadResult,
    Problem,
    entry_files,
    load_knowledge,
)
from actions.knowledge.synonyms import SYNONYMS_FILE, SynonymTable

OUT_OF_SCOPE_EXAMPLES = Path(__file__).parent / "data" / "out_of_scope.yml"


def out_of_scope_examples(path: Path = OUT_OF_SCOPE_EXAMPLES) -> list[str]:
    """The out-of-scope examples the index rejects queries near to."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [str(text) for text in data.get("examples", [])]


log = logging.getLogger(__name__)

INDEX_FORMAT = 3  # bump when the index layout changes, so old caches are rebuilt


@dataclass
class BuildReport:
    """What a (re)load did, for the CLI and the logs."""

    entries: int
    problems: list[Problem]
    rebuilt: bool
    embedded_texts: int
    seconds: float
    content_hash: str


class EmbeddingCache:
    """Embeddings by text and role hash, on disk, for one model."""

    def __init__(self, path: Path, embedder: Embedder) -> None:
        self._path = path
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}
        self.misses = 0
        if path.exists():
            try:
                with np.load(path) as data:
                    self._vectors = dict(zip(data["keys"].tolist(), data["vectors"], strict=True))
            except (OSError, ValueError, KeyError) as error:
                log.warning("ignoring an unreadable embedding cache %s: %s", path, error)

    @staticmethod
    def key(text: str, role: Role = "passage") -> str:
        return hashlib.sha1(f"{role}|{text}".encode()).hexdigest()

    def embed(self, texts: list[str], role: Role = "passage") -> np.ndarray:
        keys = [self.key(text, role) for text in texts]
        missing = sorted(
            {k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items()
        )
        if missing:
            vectors = self._embedder.embed([text for _, text in missing], role)
            self._vectors.update((k, v) for (k, _), v in zip(missing, vectors, strict=True))
            self.misses += len(missing)
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32)

    def save(self, keep: list[tuple[str, Role]]) -> None:
        """Writes the vectors of ``keep`` (text, role) pairs only (the cache does not grow
        forever)."""
        wanted = [k for k in dict.fromkeys(self.key(t, r) for t, r in keep) if k in self._vectors]
        self._path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._path.with_suffix(".tmp.npz")
        vectors = np.stack([self._vectors[k] for k in wanted]) if wanted else np.zeros((0, 1))
        np.savez(temporary, keys=np.array(wanted), vectors=vectors)
        temporary.replace(self._path)


class KnowledgeBase:
    """Entries and their index, kept in step with the folder.

    Args:
        folder: The knowledge folder.
        index_dir: Where the index and embedding cache are kept.
        embedder: The embedding model (loaded by :meth:`warm_up`).
        languages: Supported language codes.
        reload_interval: Seconds between checks for changed files.
        observe_search: Called with the seconds each :meth:`search_with_passages` took
            (the action server's metrics).
    """

    def __init__(
        self,
        folder: Path,
        index_dir: Path,
        embedder: Embedder,
        languages: list[str],
        reload_interval: float = 2.0,
        observe_search: Callable[[float], None] | None = None,
    ) -> None:
        self.folder = folder
        self._observe_search = observe_search
        self._index_dir = index_dir
        self._embedder = embedder
        self._languages = languages
        self._reload_interval = reload_interval
        self._lock = threading.Lock()
        self._index: KnowledgeIndex | None = None
        self._by_id: dict[str, KnowledgeEntry] = {}
        self._problems: list[Problem] = []
        self._fingerprint: tuple[tuple[str, int, int], ...] | None = None
        self._checked_at = 0.0
        # Whole documents (knowledge/articles), indexed beside the entries.
        self.passages = PassageIndex(folder / ARTICLES_FOLDER, index_dir, embedder)
        self._passages_seen: object = None

    def warm_up(self) -> BuildReport:
        """Loads the model and the index (building it if stale). Call once at start-up."""
        self._embedder.warm_up()
        self._refresh_passages()
        with self._lock:
            return self._reload(self._current_fingerprint())

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def entries(self) -> list[KnowledgeEntry]:
        return list(self._by_id.values())

    def get(self, entry_id: str) -> KnowledgeEntry | None:
        self.refresh()
        return self._by_id.get(entry_id)

    def search(self, query: str, k: int = 5, language: str | None = None) -> list[Hit]:
        """The best entries for ``query`` in ``language`` if known (CPU-bound: call it from a
        worker thread)."""
        self.refresh()
        index = self._index
        return index.search(query, k, language) if index is not None else []

    @property
    def index(self) -> KnowledgeIndex | None:
        """The current index (None before :meth:`warm_up`)."""
        return self._index

    def refresh(self, force: bool = False) -> BuildReport | None:
        """Reloads if a file changed since the last load; returns what it did, or None."""
        now = time.monotonic()
        if not force and now - self._checked_at < self._reload_interval:
            return None
        self._refresh_passages()
        with self._lock:
            self._checked_at = time.monotonic()
            fingerprint = self._current_fingerprint()
            if not force and self._fingerprint == fingerprint:
                return None
            return self._reload(fingerprint)

    def search_with_passages(
        self, query: str, k: int = 5, language: str | None = None
    ) -> tuple[list[Hit], list[PassageHit]]:
        """The best entries and the best article passages for ``query``, the query embedded
        once (CPU-bound: call it from a worker thread).

        A query nearer an out-of-scope example than to the passage and to every entry is not
        answered from it: without that check, "open a bank account in Switzerland" was quoted
        from the first-week guide on the tuning set.
        """
        started = time.perf_counter()
        self.refresh()
        index = self._index
        if index is None or not query.strip():
            return [], []
        vector = index.query_vector(query)
        hits = index.search(query, k, language, vector=vector)
        negative = index.negative_similarity(vector)
        nearest_entry = max((hit.dense for hit in hits), default=-1.0)
        passages = self.passages.search(
            query, 1, language, vector=vector, negative=negative, nearest_entry=nearest_entry
        )
        if self._observe_search is not None:
            self._observe_search(time.perf_counter() - started)
        return hits, passages

    def _refresh_passages(self) -> None:
        """Re-reads the articles that changed since the last look (cheap when none did)."""
        seen = self.passages.fingerprint()
        if seen != self._passages_seen:
            self.passages.refresh()
            self._passages_seen = seen

    def _current_fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        # Entries are expanded with the shared facts: an edit to facts.yml alone reloads too.
        files = [
            *entry_files(self.folder),
            self.folder / SYNONYMS_FILE,
            self.folder / FACTS_FILE_NAME,
        ]
        result = []
        for path in files:
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            result.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(result)

    def _reload(self, fingerprint: tuple[tuple[str, int, int], ...]) -> BuildReport:
        started = time.perf_counter()
        loaded: LoadResult = load_knowledge(self.folder, self._languages, today=date.today())
        try:
            synonyms = SynonymTable.load(self.folder / SYNONYMS_FILE)
        except ValueError as error:
            log.error("synonyms not used: %s", error)
            synonyms = SynonymTable([])
        content_hash = self._content_hash(loaded.entries)
        layout = document_layout(loaded.entries)
        manifest_path = self._index_dir / "manifest.json"
        faiss_path = self._index_dir / "dense.faiss"
        cache = EmbeddingCache(self._index_dir / "embeddings.npz", self._embedder)

        documents = len(layout.texts)
        vectors = self._cached_vectors(manifest_path, faiss_path, content_hash, documents)
        rebuilt = vectors is None
        if vectors is None:
            vectors = layout.embed(cache.embed)
        negatives = out_of_scope_examples()
        negative_vectors = cache.embed(negatives, "query") if negatives else None
        index = KnowledgeIndex(
            loaded.entries, self._embedder, vectors, layout.owners, layout.chinese,
            tokenizer=None, synonyms=synonyms, negatives=negative_vectors, native=layout.native,
        )  # fmt: skip
        if rebuilt:
            self._index_dir.mkdir(parents=True, exist_ok=True)
            faiss.write_index(index.faiss_index, str(faiss_path))
            kept: list[tuple[str, Role]] = [(text, "query") for text in negatives]
            cache.save([*zip(layout.texts, layout.roles, strict=True), *kept])
            manifest = {
                "format": INDEX_FORMAT,
                "content_hash": content_hash,
                "model": self._embedder.name,
                "entries": len(loaded.entries),
                "documents": documents,
                "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            manifest_path.write_text(json.dumps(manifest, indent=2), encoding="utf-8")

        self._index = index
        self._by_id = {entry.id: entry for entry in loaded.entries}
        self._problems = loaded.problems
        self._fingerprint = fingerprint
        self._checked_at = time.monotonic()
        for problem in loaded.problems:
            log.warning("knowledge file skipped: %s", problem)
        report = BuildReport(
            entries=len(loaded.entries),
            problems=loaded.problems,
            rebuilt=rebuilt,
            embedded_texts=cache.misses,
            seconds=time.perf_counter() - started,
            content_hash=content_hash,
        )
        log.info(
            "knowledge base: %d entries, %d problems, index %s in %.1f s",
            report.entries,
            len(report.problems),
            "rebuilt" if rebuilt else "loaded",
            report.seconds,
        )  # fmt: skip
        return report

    def _content_hash(self, entries: list[KnowledgeEntry]) -> str:
        digest = hashlib.sha256(f"{INDEX_FORMAT}|{self._embedder.name}|".encode())
        digest.update(OUT_OF_SCOPE_EXAMPLES.read_bytes())
        for entry in entries:
            assert entry.path is not None
            digest.update(str(entry.path.relative_to(self.folder)).encode())
            digest.update(entry.path.read_bytes())
        return digest.hexdigest()

    def _cached_vectors(
        self, manifest_path: Path, faiss_path: Path, content_hash: str, documents: int
    ) -> np.ndarray | None:
        """The stored vectors when the stored index was built from this very content."""
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            if (
                manifest.get("content_hash") != content_hash
                or manifest.get("format") != INDEX_FORMAT
            ):
                return None
            stored = faiss.read_index(str(faiss_path))
        except (OSError, ValueError, RuntimeError):
            return None
        if stored.ntotal != documents:
            return None
        return np.asarray(stored.reconstruct_n(0, stored.ntotal), dtype=np.float32)
