"""BM25 and term coverage over a sparse term-document matrix.

Scoring a query costs a few sparse column sums, not a loop over every entry, so search stays
fast at tens of thousands of entries (``make bench``).
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from scipy import sparse


class LexicalIndex:
    """Okapi BM25 (Lucene's non-negative IDF) plus an IDF-weighted term-coverage score.

    Args:
        corpus: Each document's terms.
        k1: Term-frequency saturation.
        b: Length normalization.
    """

    def __init__(self, corpus: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self._vocabulary: dict[str, int] = {}
        rows: list[int] = []
        columns: list[int] = []
        counts: list[int] = []
        for row, terms in enumerate(corpus):
            for term, count in Counter(terms).items():
                rows.append(row)
                columns.append(self._vocabulary.setdefault(term, len(self._vocabulary)))
                counts.append(count)
        shape = (len(corpus), max(len(self._vocabulary), 1))
        tf = sparse.csr_matrix((np.asarray(counts, dtype=np.float64), (rows, columns)), shape=shape)
        lengths = np.asarray([len(terms) for terms in corpus], dtype=np.float64)
        average = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
        documents = max(len(corpus), 1)
        df = np.bincount(np.asarray(columns, dtype=np.int64), minlength=shape[1])
        self.idf = np.log(1.0 + (documents - df + 0.5) / (df + 0.5))
        self._unknown_idf = math.log(1.0 + (documents + 0.5) / 0.5)

        coo = tf.tocoo()
        norm = k1 * (1.0 - b + b * lengths[coo.row] / average)
        weights = self.idf[coo.col] * coo.data * (k1 + 1.0) / (coo.data + norm)
        self._bm25 = sparse.csc_matrix((weights, (coo.row, coo.col)), shape=shape)
        self._presence = sparse.csc_matrix(
            (np.ones_like(coo.data), (coo.row, coo.col)), shape=shape
        )
        self._documents = len(corpus)

    def scores(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """BM25 score and coverage (0-1) of every document for a query's terms."""
        if not terms or self._documents == 0:
            return np.zeros(self._documents), np.zeros(self._documents)
        known = [self._vocabulary[t] for t in terms if t in self._vocabulary]
        bm25 = (
            np.asarray(self._bm25[:, known].sum(axis=1)).ravel()
            if known
            else np.zeros(self._documents)
        )
        unique = set(terms)
        columns = [self._vocabulary[t] for t in unique if t in self._vocabulary]
        total = sum(self.idf[c] for c in columns) + self._unknown_idf * (len(unique) - len(columns))
        found = (
            self._presence[:, columns] @ self.idf[columns] if columns else np.zeros(self._documents)
        )
        return bm25, np.asarray(found).ravel() / total
