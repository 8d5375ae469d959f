"""The hybrid index: dense (multilingual e5 embeddings in FAISS) and lexical (BM25), fused by rank.

Dense search understands paraphrases in about 100 languages, Chinese included; lexical search
carries exact terms such as "Z visa" or "12367" in English and Chinese. Each entry contributes
several dense documents (titles and question variants in e5's "query" role, the lead of its
answers in the "passage" role) and one lexical document; an entry's dense score is its best
document's. A query in another language than English or Chinese is searched densely only: the
lexical side cannot read it, and its noise measured worse than nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from actions.knowledge.confidence import confidence
from actions.knowledge.embedder import Embedder, Role
from actions.knowledge.entry import REQUIRED_LANGUAGES, KnowledgeEntry
from actions.knowledge.lexical import LexicalIndex
from actions.knowledge.synonyms import SynonymTable
from actions.knowledge.text import Tokenizer, has_chinese, lead_paragraph, search_group

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
# (dense, lexical) weight of each ranking in the fusion, per query group (measured with
# `make eval` on the tuning sets; see the README).
FUSION_WEIGHTS = {
    "en": (1.0, 1.0),
    "zh": (0.5, 1.0),
    "other": (1.0, 0.0),
}
# An English-only model's ranking of a Chinese query is noise (Chinese hit@1 0.52 with it, 0.83
# without), so with such a model Chinese is lexical only and other languages are matched as
# English.
ENGLISH_MODEL_WEIGHTS = {"en": (1.0, 1.0), "zh": (0.0, 1.0), "other": (1.0, 1.0)}
# Other languages rank entries by their best document's similarity blended with the mean of the
# next AGREEMENT_DOCUMENTS': one variant that shares a question's form but not its subject ("I
# lost my social insurance card, what do I do?" for "I lost my passport, what do I do?") then
# does not outrank an entry whose variants agree. English and Chinese have the lexical side for
# that (blended at 0.5 over the next 1-2 documents: English hit@1 0.928 -> 0.902, Chinese
# 0.935 -> 0.935-0.942). Chosen on the tuning sets: other languages' hit@1 0.831 -> 0.910 (89
# questions; weights 0.5-0.7 over the next 2-4 documents all gave 0.90-0.93).
AGREEMENT_WEIGHT = 0.5
AGREEMENT_DOCUMENTS = 3
# Which documents an entry contributes to the dense side.
DOCUMENT_KINDS = frozenset({"title", "question", "tags", "lead"})


@dataclass(frozen=True)
class Hit:
    """One entry found for a query.

    Attributes:
        entry: The entry.
        score: The fused rank score (orders the hits).
        dense: Best cosine similarity of the query to one of the entry's documents.
        lexical: IDF-weighted share of the query's terms that the entry contains (0-1).
        confidence: How sure the index is that this entry answers the query (0-1).
        related: The entry is close enough to offer as "did you mean", even when the query is
            nearer an out-of-scope example than this entry (a vague "visa problem" sits as
            close to "US visa problem" as to our visa entries: not an answer, but a lead).
        native_dense: Best cosine similarity to one of the entry's English or Chinese documents
            (what an article passage, written in English or Chinese, is compared with).
    """

    entry: KnowledgeEntry
    score: float
    dense: float
    lexical: float
    confidence: float
    related: bool = False
    native_dense: float = -1.0


@dataclass(frozen=True)
class DenseDocument:
    """One text embedded for an entry."""

    text: str
    role: Role
    chinese: bool
    native: bool = True  # English or Chinese (titles, tags and answer leads are)


def dense_documents(
    entry: KnowledgeEntry, kinds: frozenset[str] = DOCUMENT_KINDS
) -> list[DenseDocument]:
    """The texts embedded for an entry: what users ask in the query role, answers as passages."""
    asked: list[tuple[str, bool]] = []
    if "title" in kinds:
        asked += ((title, True) for title in entry.title.values())
    if "question" in kinds:
        asked += (
            (q, language in REQUIRED_LANGUAGES)
            for language, qs in entry.questions.items()
            for q in qs
        )
    if "tags" in kinds and entry.tags:
        asked.append((", ".join(entry.tags), True))
    documents = [DenseDocument(text, "query", has_chinese(text), native) for text, native in asked]
    if "lead" in kinds:
        documents += [
            DenseDocument(lead_paragraph(answer), "passage", language == "zh")
            for language, answer in entry.answers.items()
            if language in ("en", "zh")
        ]
    return documents


def lexical_document(entry: KnowledgeEntry) -> str:
    """The text the lexical index sees for an entry; titles, questions and tags count double."""
    head = " ".join(
        [*entry.title.values(), *(q for qs in entry.questions.values() for q in qs), *entry.tags]
    )
    return " ".join([head, head, *entry.answers.values()])


@dataclass(frozen=True)
class DocumentLayout:
    """The dense documents of a list of entries in index order."""

    texts: list[str]
    roles: list[Role]
    owners: list[int]
    chinese: list[bool]
    native: list[bool]

    def embed(self, embed: Callable[[list[str], Role], np.ndarray]) -> np.ndarray:
        """All documents' vectors in order, each embedded in its role."""
        if not self.texts:
            return np.zeros((0, 1), dtype=np.float32)
        vectors: list[np.ndarray | None] = [None] * len(self.texts)
        for role in ("query", "passage"):
            rows = [i for i, r in enumerate(self.roles) if r == role]
            if rows:
                for row, vector in zip(
                    rows, embed([self.texts[i] for i in rows], role), strict=True
                ):
                    vectors[row] = vector
        return np.stack(vectors).astype(np.float32)  # type: ignore[arg-type]


def document_layout(
    entries: Sequence[KnowledgeEntry], kinds: frozenset[str] = DOCUMENT_KINDS
) -> DocumentLayout:
    """The dense documents of ``entries`` in index order."""
    layout = DocumentLayout([], [], [], [], [])
    for position, entry in enumerate(entries):
        for document in dense_documents(entry, kinds):
            layout.texts.append(document.text)
            layout.roles.append(document.role)
            layout.owners.append(position)
            layout.chinese.append(document.chinese)
            layout.native.append(document.native)
    return layout


class KnowledgeIndex:
    """Searches a fixed set of entries. Build a new one when the entries change.

    Args:
        entries: The entries, in a fixed order.
        embedder: The model that embedded ``vectors`` (used again for queries).
        vectors: One normalized vector per dense document.
        owners: For each vector, the position of its entry in ``entries`` (see
            :func:`document_layout`).
        chinese: For each vector, whether its document is Chinese.
        tokenizer: The lexical tokenizer; by default one that knows the entries' Chinese tags.
        synonyms: Synonym groups applied to the lexical side.
        negatives: Vectors of out-of-scope examples (other countries' procedures, chat), in
            the query role: a query closer to one of them than to its best entry is rejected.
        native: For each vector, whether its document is English or Chinese (all by default).
    """

    def __init__(
        self,
        entries: Sequence[KnowledgeEntry],
        embedder: Embedder,
        vectors: np.ndarray,
        owners: Sequence[int],
        chinese: Sequence[bool],
        tokenizer: Tokenizer | None = None,
        synonyms: SynonymTable | None = None,
        negatives: np.ndarray | None = None,
        native: Sequence[bool] | None = None,
    ) -> None:
        if len(vectors) != len(owners):
            raise ValueError("one owner per vector is needed")
        self.entries = list(entries)
        self._embedder = embedder
        self._multilingual = embedder.multilingual
        self._owners = np.asarray(owners, dtype=np.int64)
        self._chinese = np.asarray(chinese, dtype=bool)
        self._native = np.ones(len(owners), dtype=bool) if native is None else np.asarray(native)
        self._slots = _slots_by_entry(self._owners, len(self.entries))
        self._slot_native = (self._slots >= 0) & self._native[self._slots]
        self._slot_chinese = self._chinese[self._slots]
        self._tokenizer = tokenizer or Tokenizer(tag for entry in entries for tag in entry.tags)
        self._synonyms = synonyms or SynonymTable([])
        self._negatives = negatives if negatives is not None and len(negatives) else None
        self._weights = FUSION_WEIGHTS if self._multilingual else ENGLISH_MODEL_WEIGHTS
        self.faiss_index = faiss.IndexFlatIP(int(vectors.shape[1]) if len(vectors) else 1)
        if len(vectors):
            self.faiss_index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        # A view of the flat index's own vectors (no copy): every document is scored for every
        # query, and one matrix product does that in a fraction of a millisecond, where a FAISS
        # search asked for all ~14,000 documents spends several sorting them.
        index = self.faiss_index
        self._stored = faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d).reshape(
            index.ntotal, index.d
        )
        corpus = [
            self._tokenizer.tokens(self._synonyms.expand(lexical_document(entry)))
            for entry in self.entries
        ]
        self._lexical = LexicalIndex(corpus)

    @classmethod
    def build(
        cls,
        entries: Sequence[KnowledgeEntry],
        embedder: Embedder,
        tokenizer: Tokenizer | None = None,
        synonyms: SynonymTable | None = None,
        embed: Callable[[list[str], Role], np.ndarray] | None = None,
        kinds: frozenset[str] = DOCUMENT_KINDS,
        negatives: Sequence[str] = (),
    ) -> KnowledgeIndex:
        """Embeds every entry's documents and builds the index.

        Args:
            entries: The entries.
            embedder: The embedding model.
            tokenizer: The lexical tokenizer; by default one knowing the entries' Chinese tags.
            synonyms: Synonym groups applied to the lexical side.
            embed: Optional ``(texts, role) -> vectors`` function (e.g. a caching one) used
                instead of ``embedder.embed`` for the documents.
            kinds: Which documents to embed (see :func:`dense_documents`).
            negatives: Out-of-scope examples (see the class).
        """
        layout = document_layout(entries, kinds)
        vectors = layout.embed(embed or embedder.embed)
        negative_vectors = (
            (embed or embedder.embed)(list(negatives), "query") if negatives else None
        )
        return cls(
            entries, embedder, vectors, layout.owners, layout.chinese, tokenizer, synonyms,
            negative_vectors, layout.native,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.entries)

    def search(
        self,
        query: str,
        k: int = 5,
        language: str | None = None,
        vector: np.ndarray | None = None,
    ) -> list[Hit]:
        """The ``k`` best entries for ``query``, best first.

        Args:
            query: What the user typed.
            k: How many entries.
            language: The query's language if known (else judged from its script).
            vector: The query's embedding, if the caller has it already.
        """
        if not self.entries or not query.strip():
            return []
        group = search_group(query, language)
        if vector is None:
            vector = self.query_vector(query)
        dense, agreement, native = self._dense_scores(vector, group == "zh")
        negative = self.negative_similarity(vector)
        terms = self._tokenizer.tokens(self._synonyms.expand(query))
        lexical, coverage = self._lexical.scores(terms)

        dense_weight, lexical_weight = self._weights[group]
        ranking = dense
        if group == "other":
            ranking = (1 - AGREEMENT_WEIGHT) * dense + AGREEMENT_WEIGHT * agreement
        fused = dense_weight * _rrf(ranking)
        if lexical_weight and float(np.max(lexical)) > 0:
            fused += lexical_weight * _rrf(lexical)
        order = np.argsort(-fused)[:k]
        return [
            Hit(
                entry=self.entries[i],
                score=float(fused[i]),
                dense=float(dense[i]),
                lexical=float(coverage[i]),
                confidence=confidence(
                    float(dense[i]), float(coverage[i]), group, self._multilingual, negative
                ),
                related=confidence(float(dense[i]), float(coverage[i]), group, self._multilingual)
                > 0,
                native_dense=float(native[i]),
            )
            for i in order
        ]

    def negative_similarity(self, vector: np.ndarray) -> float:
        """The query vector's similarity to its nearest out-of-scope example (-1 if none)."""
        if self._negatives is None:
            return -1.0
        return float(np.max(self._negatives @ vector[0]))

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding (one row), for checks beside the search."""
        return self._embedder.embed([query], "query")

    def _dense_scores(
        self, vector: np.ndarray, chinese: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per entry: its best document's similarity, the mean of its next AGREEMENT_DOCUMENTS
        documents' (the best again when it has no other), and its best English or Chinese
        document's similarity."""
        if self.faiss_index.ntotal == 0:
            missing = np.full(len(self.entries), -1.0, dtype=np.float32)
            return missing, missing.copy(), missing.copy()
        # Every document is scored: an entry has question variants in many languages, so a
        # fixed number of nearest documents could cover only a handful of entries.
        by_document = self._stored @ vector[0]
        # One row per entry, one column per document of it (see _slots_by_entry).
        table = np.where(self._slots >= 0, by_document[self._slots], -np.inf)
        if not self._multilingual:
            # An English-only model compares a query with documents in its own script only.
            table = np.where(self._slot_chinese == chinese, table, -np.inf)
        best = table.max(axis=1)
        native = np.where(self._slot_native, table, -np.inf).max(axis=1)
        top = -np.sort(-table, axis=1)[:, 1 : 1 + AGREEMENT_DOCUMENTS]
        counted = np.isfinite(top)
        totals = np.where(counted, top, 0.0).sum(axis=1)
        counts = counted.sum(axis=1)
        agreement = np.where(counts > 0, totals / np.maximum(counts, 1), best)
        return tuple(  # type: ignore[return-value]
            np.where(np.isfinite(scores), scores, -1.0).astype(np.float32)
            for scores in (best, agreement, native)
        )


def _slots_by_entry(owners: np.ndarray, entries: int) -> np.ndarray:
    """The documents of each entry as a padded table (-1 where an entry has fewer), so a query's
    per-entry scores are whole-array operations rather than a loop over documents."""
    counts = np.bincount(owners, minlength=entries) if len(owners) else np.zeros(entries, int)
    slots = np.full((entries, max(int(counts.max(initial=0)), 1)), -1, dtype=np.int64)
    order = np.argsort(owners, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    columns = np.arange(len(owners)) - np.repeat(starts, counts)
    slots[owners[order], columns] = order
    return slots


def _rrf(scores: np.ndarray) -> np.ndarray:
    """Reciprocal-rank-fusion weights of a score vector (rank 1 is the highest score)."""
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)
