"""The hybrid index: dense (sentence embeddings in FAISS) and lexical (BM25), fused by rank.

Dense search understands paraphrases in English; lexical search carries Chinese (the default
embedding model does not understand it) and exact terms such as "Z visa" or "12367". Each entry
contributes several dense documents (titles, question variants, tags, the opening of its
answer), and one lexical document; an entry's dense score is its best document's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import faiss
import numpy as np

from actions.knowledge.embedder import Embedder
from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.lexical import LexicalIndex
from actions.knowledge.synonyms import SynonymTable
from actions.knowledge.text import Tokenizer, has_chinese

RRF_K = 60  # the usual reciprocal-rank-fusion constant: damps the weight of the very top ranks
DENSE_CANDIDATES = 200
# (dense, lexical) weight of each ranking in the fusion. Measured on tests/eval: an English-only
# model's ranking of a Chinese query is noise (Chinese hit@1 0.52 with it, 0.83 without).
LATIN_WEIGHTS = (1.0, 1.0)  # plain RRF; other weights measured no better (0.4-1.0: 0.82-0.85)
CHINESE_WEIGHTS_MULTILINGUAL = (0.5, 1.0)
CHINESE_WEIGHTS_ENGLISH_MODEL = (0.0, 1.0)


@dataclass(frozen=True)
class Hit:
    """One entry found for a query.

    Attributes:
        entry: The entry.
        score: The fused rank score (orders the hits).
        dense: Best cosine similarity of the query to one of the entry's documents.
        lexical: IDF-weighted share of the query's terms that the entry contains (0-1).
        confidence: How sure the index is that this entry answers the query (0-1).
    """

    entry: KnowledgeEntry
    score: float
    dense: float
    lexical: float
    confidence: float


def dense_documents(entry: KnowledgeEntry) -> list[tuple[str, bool]]:
    """The texts embedded for an entry, each with whether it is Chinese."""
    texts = [*entry.title.values(), *(q for qs in entry.questions.values() for q in qs)]
    if entry.tags:
        texts.append(", ".join(entry.tags))
    texts.append(entry.answers["en"][:400])
    return [(text, has_chinese(text)) for text in texts]


def lexical_document(entry: KnowledgeEntry) -> str:
    """The text the lexical index sees for an entry; titles, questions and tags count double."""
    head = " ".join(
        [*entry.title.values(), *(q for qs in entry.questions.values() for q in qs), *entry.tags]
    )
    return " ".join([head, head, *entry.answers.values()])


def document_layout(entries: Sequence[KnowledgeEntry]) -> tuple[list[str], list[int], list[bool]]:
    """The dense documents of ``entries`` in index order: texts, owning entry, is-Chinese."""
    texts: list[str] = []
    owners: list[int] = []
    chinese: list[bool] = []
    for position, entry in enumerate(entries):
        for text, is_chinese in dense_documents(entry):
            texts.append(text)
            owners.append(position)
            chinese.append(is_chinese)
    return texts, owners, chinese


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
        multilingual: Whether the embedder understands Chinese.
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
        multilingual: bool = False,
    ) -> None:
        if len(vectors) != len(owners):
            raise ValueError("one owner per vector is needed")
        self.entries = list(entries)
        self._embedder = embedder
        self._owners = np.asarray(owners, dtype=np.int64)
        self._chinese = np.asarray(chinese, dtype=bool)
        self._tokenizer = tokenizer or Tokenizer(tag for entry in entries for tag in entry.tags)
        self._synonyms = synonyms or SynonymTable([])
        self._chinese_weights = (
            CHINESE_WEIGHTS_MULTILINGUAL if multilingual else CHINESE_WEIGHTS_ENGLISH_MODEL
        )
        self.faiss_index = faiss.IndexFlatIP(int(vectors.shape[1]) if len(vectors) else 1)
        if len(vectors):
            self.faiss_index.add(np.ascontiguousarray(vectors, dtype=np.float32))
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
        multilingual: bool = False,
        embed: Callable[[list[str]], np.ndarray] | None = None,
    ) -> KnowledgeIndex:
        """Embeds every entry's documents and builds the index.

        Args:
            entries: The entries.
            embedder: The embedding model.
            tokenizer: The lexical tokenizer; by default one knowing the entries' Chinese tags.
            synonyms: Synonym groups applied to the lexical side.
            multilingual: Whether the embedder understands Chinese.
            embed: Optional ``texts -> vectors`` function (e.g. a caching one) used instead of
                ``embedder.embed`` for the documents.
        """
        documents, owners, chinese = document_layout(entries)
        vectors = (embed or embedder.embed)(documents) if documents else np.zeros((0, 1), "f4")
        return cls(entries, embedder, vectors, owners, chinese, tokenizer, synonyms, multilingual)

    def __len__(self) -> int:
        return len(self.entries)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        """The ``k`` best entries for ``query``, best first."""
        if not self.entries or not query.strip():
            return []
        chinese = has_chinese(query)
        dense = self._dense_scores(query, chinese)
        terms = self._tokenizer.tokens(self._synonyms.expand(query))
        lexical, coverage = self._lexical.scores(terms)

        dense_weight, lexical_weight = self._chinese_weights if chinese else LATIN_WEIGHTS
        fused = dense_weight * _rrf(dense)
        if float(np.max(lexical)) > 0:
            fused += lexical_weight * _rrf(lexical)
        order = np.argsort(-fused)[:k]
        return [
            Hit(
                entry=self.entries[i],
                score=float(fused[i]),
                dense=float(dense[i]),
                lexical=float(coverage[i]),
                confidence=confidence(float(dense[i]), float(coverage[i]), chinese),
            )
            for i in order
        ]

    def _dense_scores(self, query: str, chinese: bool) -> np.ndarray:
        scores = np.full(len(self.entries), -1.0, dtype=np.float32)
        if self.faiss_index.ntotal == 0:
            return scores
        vector = self._embedder.embed([query])
        found = min(DENSE_CANDIDATES, self.faiss_index.ntotal)
        similarities, rows = self.faiss_index.search(vector, found)
        for similarity, row in zip(similarities[0], rows[0], strict=True):
            # A query is compared with documents in its own script only.
            if row < 0 or self._chinese[row] != chinese:
                continue
            owner = self._owners[row]
            scores[owner] = max(scores[owner], similarity)
        return scores


def confidence(dense: float, lexical: float, chinese: bool) -> float:
    """How likely the hit answers the query, from its dense and lexical scores (0-1).

    Latin script: both sides must agree (the weaker one counts), because out-of-scope near
    misses ("US green card") score high on one side only. Chinese: lexical only, as the default
    embedding model cannot read it. ``make eval`` calibrates the thresholds on this score.
    """
    if chinese:
        return lexical
    return min(max(dense, 0.0), 1.5 * lexical, 1.0)


def _rrf(scores: np.ndarray) -> np.ndarray:
    """Reciprocal-rank-fusion weights of a score vector (rank 1 is the highest score)."""
    ranks = np.empty(len(scores), dtype=np.float64)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return 1.0 / (RRF_K + ranks)
