"""The passage index: every document in ``knowledge/articles/``, split, embedded and searchable.

Incremental: a document is re-read only when its bytes (or its side file) changed, judged
first by size and modification time, then by a SHA-256 of the content; passage vectors are
cached by text on disk, so a restart or an edit embeds only new passages. The index itself
(FAISS for the dense side, BM25 for the lexical side) is rebuilt from those in milliseconds.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from actions.knowledge.articles.parsers import DOCUMENT_SUFFIXES, DocumentError, parse_document
from actions.knowledge.articles.passages import Passage, passage_sentences, split_passages
from actions.knowledge.confidence import confidence
from actions.knowledge.embedder import Embedder
from actions.knowledge.index import ENGLISH_MODEL_WEIGHTS, FUSION_WEIGHTS, RRF_K
from actions.knowledge.lexical import LexicalIndex
from actions.knowledge.text import Tokenizer, search_group

log = logging.getLogger(__name__)

# A passage is longer than a question, so a query's cosine to the passage that answers it runs
# lower than to a question variant: passages have their own floors, and their out-of-scope check
# (see search) compares the nearest example with the passage and the nearest entry. Chosen on the
# tuning sets (tests/eval/tuning/articles_only.yml and articles.yml against the entry tuning
# questions and out-of-scope examples); see actions/passage_answer.py for the numbers.
PASSAGE_DENSE_FLOOR = {"en": 0.80, "zh": 0.80, "other": 0.78}
PASSAGE_NEGATIVE_MARGIN = {"en": 0.02, "zh": 0.02, "other": 0.02}


@dataclass(frozen=True)
class DocumentProblem:
    """A document that was skipped (``kind`` != "warning") or needs attention."""

    path: Path
    kind: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.path}: {self.kind}: {self.message}\n    fix: {self.fix}"


@dataclass(frozen=True)
class PassageHit:
    """One passage found for a query (scores as in :class:`actions.knowledge.index.Hit`)."""

    passage: Passage
    score: float
    dense: float
    lexical: float
    confidence: float
    # The query's embedding, so the answer can pick the passage's best sentence by meaning.
    query_vector: np.ndarray | None = field(default=None, compare=False, repr=False)


@dataclass
class _Document:
    stamp: tuple[int, int, int, int]
    digest: str
    passages: list[Passage] = field(default_factory=list)
    pages: int = 0
    problem: DocumentProblem | None = None
    warnings: list[DocumentProblem] = field(default_factory=list)


@dataclass
class PassageReport:
    """What a refresh did."""

    documents: int
    passages: int
    pages: int
    reread: int
    embedded: int
    problems: list[DocumentProblem]
    seconds: float


def document_files(folder: Path) -> list[Path]:
    """The documents in ``folder``: supported kinds; hidden, ``_``-prefixed and side files out."""
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix.lower() in DOCUMENT_SUFFIXES
        and not any(part[:1] in "._" for part in path.relative_to(folder).parts)
    )


def family_of(path: Path) -> str:
    """The name shared by a document's translations: ``exit-entry-rules`` for ``.zh.md``."""
    return path.name.split(".")[0]


def _stamp(path: Path) -> tuple[int, int, int, int]:
    stat = path.stat()
    side = path.with_name(path.name + ".yml")
    side_stat = side.stat() if side.is_file() else None
    return (
        stat.st_mtime_ns, stat.st_size,
        side_stat.st_mtime_ns if side_stat else 0, side_stat.st_size if side_stat else -1,
    )  # fmt: skip


class PassageIndex:
    """The articles' passages, kept in step with the folder.

    Args:
        folder: The articles folder (``knowledge/articles``).
        cache_dir: Where passage vectors are cached.
        embedder: The embedding model (warmed up by the knowledge base).
    """

    def __init__(self, folder: Path, cache_dir: Path, embedder: Embedder) -> None:
        self.folder = folder
        self._cache_path = cache_dir / "passage-embeddings.npz"
        self._embedder = embedder
        # The same fusion and confidence as the entries, so one threshold table serves both.
        self._weights = FUSION_WEIGHTS if embedder.multilingual else ENGLISH_MODEL_WEIGHTS
        self._documents: dict[Path, _Document] = {}
        self._vectors: dict[str, np.ndarray] | None = None
        self._lock = threading.Lock()
        self.tokenizer = Tokenizer()
        self._passages: list[Passage] = []
        self._faiss = faiss.IndexFlatIP(1)
        self._lexical = LexicalIndex([])
        self._chinese = np.zeros(0, dtype=bool)
        self._sentence_vectors: dict[Passage, np.ndarray] = {}

    @property
    def passages(self) -> list[Passage]:
        return list(self._passages)

    @property
    def problems(self) -> list[DocumentProblem]:
        """Skipped documents and warnings, in file order."""
        found: list[DocumentProblem] = []
        for document in self._documents.values():
            found += [document.problem] if document.problem else document.warnings
        return found

    def fingerprint(self) -> tuple[tuple[str, tuple[int, int, int, int]], ...]:
        """Cheap: what the folder looks like now (names, sizes, times)."""
        result = []
        for path in document_files(self.folder):
            try:
                result.append((str(path), _stamp(path)))
            except FileNotFoundError:
                continue
        return tuple(result)

    def refresh(self) -> PassageReport:
        """Re-reads changed documents and rebuilds the index from the cached passages."""
        started = time.perf_counter()
        with self._lock:
            reread = 0
            documents: dict[Path, _Document] = {}
            owners: dict[str, Path] = {}
            for path in document_files(self.folder):
                try:
                    stamp = _stamp(path)
                    known = self._documents.get(path)
                    if known is None or known.stamp != stamp:
                        digest = hashlib.sha256(path.read_bytes()).hexdigest()
                        if known is None or known.digest != digest or known.stamp[2:] != stamp[2:]:
                            known = self._read(path, stamp, digest)
                            reread += 1
                        else:
                            known.stamp = stamp
                except FileNotFoundError:  # removed while scanning
                    continue
                if known.problem is None and known.digest in owners:
                    known = _Document(known.stamp, known.digest, problem=DocumentProblem(
                        path, "duplicate", f"the same file as {owners[known.digest].name}",
                        "delete one of the two copies",
                    ))  # fmt: skip
                owners.setdefault(known.digest, path)
                documents[path] = known
            self._documents = documents
            embedded = self._rebuild()
            for problem in self.problems:
                log.warning("article: %s", problem)
            return PassageReport(
                documents=sum(1 for d in documents.values() if d.problem is None),
                passages=len(self._passages),
                pages=sum(d.pages for d in documents.values() if d.problem is None),
                reread=reread,
                embedded=embedded,
                problems=self.problems,
                seconds=time.perf_counter() - started,
            )

    def _read(self, path: Path, stamp: tuple[int, int, int, int], digest: str) -> _Document:
        relative = str(path.relative_to(self.folder))
        try:
            parsed = parse_document(path)
        except DocumentError as error:
            return _Document(stamp, digest, problem=DocumentProblem(
                path, error.kind, error.message, error.fix))  # fmt: skip
        except Exception as error:  # a parser library's own bug must not stop the others
            log.exception("article %s could not be parsed", path)
            return _Document(stamp, digest, problem=DocumentProblem(
                path, "unreadable", f"{type(error).__name__}: {error}",
                "open the file, save a fresh copy, and try again"))  # fmt: skip
        warnings = [DocumentProblem(path, "warning", text, "") for text in parsed.warnings]
        passages = split_passages(parsed, relative, family_of(path))
        return _Document(stamp, digest, passages, parsed.pages, warnings=warnings)

    def _rebuild(self) -> int:
        passages = [p for d in self._documents.values() if d.problem is None for p in d.passages]
        texts = [p.indexed_text() for p in passages]
        # Each passage's sentences are embedded too (cached like the passages), so an answer
        # marks the sentence nearest the question in meaning, in any language, without
        # embedding anything while the user waits (about 25 ms a sentence here).
        split = [passage_sentences(p.text) for p in passages]
        sentence_texts = [sentence for found in split for sentence in found]
        everything, embedded = self._embed(texts + sentence_texts)
        vectors = np.ascontiguousarray(everything[: len(texts)])
        sentence_vectors: dict[Passage, np.ndarray] = {}
        start = len(texts)
        for passage, found in zip(passages, split, strict=True):
            sentence_vectors[passage] = everything[start : start + len(found)]
            start += len(found)
        index = faiss.IndexFlatIP(int(vectors.shape[1]) if len(texts) else 1)
        if len(texts):
            index.add(vectors)
        self._lexical = LexicalIndex([self.tokenizer.tokens(text) for text in texts])
        self._chinese = np.asarray([p.language == "zh" for p in passages], dtype=bool)
        self._faiss, self._passages = index, passages
        self._sentence_vectors = sentence_vectors
        return embedded

    def _embed(self, texts: list[str]) -> tuple[np.ndarray, int]:
        """Vectors for ``texts``, embedding only the ones not cached (cache saved on change)."""
        if self._vectors is None:
            self._vectors = {}
            if self._cache_path.exists():
                try:
                    with np.load(self._cache_path) as data:
                        keys, rows = data["keys"].tolist(), data["vectors"]
                        if keys and data["model"].item() == self._embedder.name:
                            self._vectors = dict(zip(keys, rows, strict=True))
                except (OSError, ValueError, KeyError) as error:
                    log.warning("ignoring an unreadable passage cache: %s", error)
        keys = [hashlib.sha1(text.encode("utf-8")).hexdigest() for text in texts]
        missing = [(k, t) for k, t in dict(zip(keys, texts, strict=True)).items()
                   if k not in self._vectors]  # fmt: skip
        if missing:
            fresh = self._embedder.embed([text for _, text in missing], "passage")
            self._vectors.update((k, v) for (k, _), v in zip(missing, fresh, strict=True))
        if missing or len(self._vectors) != len(set(keys)):
            self._vectors = {k: self._vectors[k] for k in keys}
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self._cache_path.with_suffix(".tmp.npz")
            rows = np.stack(list(self._vectors.values())) if keys else np.zeros((0, 1))
            np.savez(temporary, keys=np.array(list(self._vectors)), vectors=rows,
                     model=np.array(self._embedder.name))  # fmt: skip
            temporary.replace(self._cache_path)
        if not keys:
            return np.zeros((0, 1), dtype=np.float32), 0
        matrix = np.stack([self._vectors[k] for k in keys]).astype(np.float32)
        return np.ascontiguousarray(matrix), len(missing)

    def search(
        self,
        query: str,
        k: int = 3,
        language: str | None = None,
        vector: np.ndarray | None = None,
        negative: float = -1.0,
        nearest_entry: float = -1.0,
    ) -> list[PassageHit]:
        """The ``k`` best passages for ``query``, best first (CPU-bound).

        Args:
            query: What the user typed.
            k: How many passages.
            language: The query's language if known (else judged from its script).
            vector: The query's embedding, if the caller has it already.
            negative: The query's similarity to the nearest out-of-scope example.
            nearest_entry: The query's best similarity to an entry's document: a query is out
                of scope when an out-of-scope example is nearer than both that and the passage.
        """
        passages, index, lexical_index = self._passages, self._faiss, self._lexical
        if not passages or not query.strip():
            return []
        group = search_group(query, language)
        multilingual = self._embedder.multilingual
        dense = np.full(len(passages), -1.0, dtype=np.float32)
        if vector is None:
            vector = self._embedder.embed([query], "query")
        similarities, rows = index.search(vector, len(passages))
        for similarity, row in zip(similarities[0], rows[0], strict=True):
            if row >= 0:
                dense[row] = similarity
        lexical, coverage = lexical_index.scores(self.tokenizer.tokens(query))
        dense_weight, lexical_weight = self._weights[group]
        fused = dense_weight * _rrf(dense)
        if lexical_weight and float(np.max(lexical)) > 0:
            fused += lexical_weight * _rrf(lexical)
        found = []
        for i in np.argsort(-fused)[:k]:
            # A query's cosine to a passage runs lower than to a question, and the out-of-scope
            # examples are questions (in the query's own language for the other 30): compared
            # with the passage alone they rejected nearly every question in another language.
            nearest_ours = max(float(dense[i]), nearest_entry)
            in_scope = not multilingual or negative <= nearest_ours - PASSAGE_NEGATIVE_MARGIN[group]
            sure = confidence(
                float(dense[i]), float(coverage[i]), group, multilingual,
                floors=PASSAGE_DENSE_FLOOR,
            )  # fmt: skip
            found.append(
                PassageHit(
                    passages[i],
                    float(fused[i]),
                    float(dense[i]),
                    float(coverage[i]),
                    sure if in_scope else 0.0,
                    vector,
                )
            )
        return found

    def sentence_similarities(self, passage: Passage, vector: np.ndarray) -> np.ndarray | None:
        """Cosine of the query ``vector`` to each of ``passage``'s sentences (None if unknown)."""
        found = self._sentence_vectors.get(passage)
        if found is None or not len(found):
            return None
        return found @ np.asarray(vector, dtype=np.float32).reshape(-1)

    def sibling(self, passage: Passage, language: str) -> Passage | None:
        """The same section of the document's translation into ``language``, if there is one."""
        for candidate in self._passages:
            if (
                candidate.family == passage.family
                and candidate.language == language
                and candidate.section == passage.section
            ):
                return candidate
        return None


def _rrf(scores: np.ndarray) -> np.ndarray:
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)
