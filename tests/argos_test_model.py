"""Builds a tiny real-format Argos Translate package (``.argosmodel``) at test time.

Real Argos weights cannot be fetched on these machines, so the tests make their own package
with the real formats: a CTranslate2 Transformer (``model/``), a SentencePiece model trained on a
few sentences, and ``metadata.json``, zipped under one top-level folder like the packages on the
Argos index. It is installed and run through the real ``argostranslate`` code.

The weights are crafted, not random, so the tests are deterministic: every layer is zero, so the
decoder's state at step ``t`` is just its position vector ``t`` (distinct one-hot vectors), and
the output projection maps position ``t`` to the ``t``-th token of a fixed sentence, then to the
end-of-sentence token. Whatever the input, the model "translates" it into that sentence.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import numpy as np

# Extra text for the SentencePiece model, so ordinary input tokenizes into known pieces.
_TRAINING_TEXT = [
    "Bonjour, comment puis-je obtenir un permis de séjour à Changsha ?",
    "Where can I register my address after moving to a new flat?",
    "Hello, how long does it take to get a residence permit?",
    "Merci beaucoup pour votre aide, à bientôt.",
    "Call 12345 or visit https://www.example.org/ for more details.",
    "The hall is open Monday to Friday, 9:00-12:00 and 13:30-17:30.",
]
_LOGIT_SCALE = 10.0


def build_argosmodel(
    folder: Path, from_code: str, to_code: str, output_sentence: str, package_version: str = "1.0"
) -> Path:
    """Writes ``translate-<from>_<to>-<version>.argosmodel`` into ``folder`` and returns its path.

    Args:
        folder: Where to write the package file.
        from_code: The Argos code of the source language, e.g. ``fr``.
        to_code: The Argos code of the target language.
        output_sentence: What the model outputs for any input.
        package_version: The ``package_version`` in ``metadata.json``.
    """
    import ctranslate2
    import sentencepiece as spm

    name = f"translate-{from_code}_{to_code}-{package_version.replace('.', '_')}"
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / name
        root.mkdir()
        sp_prefix = Path(scratch) / "sp"
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter([*_TRAINING_TEXT, output_sentence]),
            model_prefix=str(sp_prefix),
            vocab_size=120,
            hard_vocab_limit=False,
            character_coverage=1.0,
            minloglevel=2,
        )
        shutil.copy(f"{sp_prefix}.model", root / "sentencepiece.model")
        processor = spm.SentencePieceProcessor(model_file=str(root / "sentencepiece.model"))
        vocabulary = [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
        target = processor.encode(output_sentence, out_type=str)
        spec = _fixed_output_spec(vocabulary, target)
        spec.register_source_vocabulary(vocabulary)
        spec.register_target_vocabulary(vocabulary)
        spec.validate()
        (root / "model").mkdir()
        spec.save(str(root / "model"))
        ctranslate2.Translator(str(root / "model"))  # fails here, not in the test, if malformed
        metadata = {
            "package_version": package_version,
            "argos_version": "1.9.0",
            "from_code": from_code,
            "from_name": from_code,
            "to_code": to_code,
            "to_name": to_code,
            "type": "translate",
        }
        (root / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
        (root / "README.md").write_text(f"Test package: always outputs {output_sentence!r}\n")
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / f"{name}.argosmodel"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
            for path in sorted(root.rglob("*")):
                zipped.write(path, path.relative_to(Path(scratch)).as_posix())
    return archive


def _fixed_output_spec(vocabulary: list[str], target: list[str]):
    from ctranslate2.specs import transformer_spec

    vocab_size = len(vocabulary)
    steps = len(target) + 1  # the sentence, then </s>
    depth = max(16, steps + 2 + (steps % 2))
    ffn = 2 * depth
    max_positions = 256
    spec = transformer_spec.TransformerSpec.from_config((1, 1), num_heads=2, pre_norm=True)

    def zeros(*shape: int) -> np.ndarray:
        return np.zeros(shape, dtype=np.float32)

    def norm(layer_norm) -> None:
        layer_norm.gamma = np.ones(depth, dtype=np.float32)
        layer_norm.beta = zeros(depth)

    def linear(spec_linear, rows: int, cols: int) -> None:
        spec_linear.weight = zeros(rows, cols)
        spec_linear.bias = zeros(rows)

    def ffn_block(block) -> None:
        norm(block.layer_norm)
        linear(block.linear_0, ffn, depth)
        linear(block.linear_1, depth, ffn)

    encoder, decoder = spec.encoder, spec.decoder
    encoder.embeddings[0].weight = zeros(vocab_size, depth)
    encoder.position_encodings.encodings = zeros(max_positions, depth)
    norm(encoder.layer_norm)
    for layer in encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * depth, depth)
        linear(layer.self_attention.linear[1], depth, depth)
        ffn_block(layer.ffn)

    decoder.embeddings.weight = zeros(vocab_size, depth)
    positions = zeros(max_positions, depth)
    for position in range(max_positions):
        positions[position, min(position, steps - 1)] = 1.0
    decoder.position_encodings.encodings = positions
    norm(decoder.layer_norm)
    for layer in decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * depth, depth)
        linear(layer.self_attention.linear[1], depth, depth)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], depth, depth)
        linear(layer.attention.linear[1], 2 * depth, depth)
        linear(layer.attention.linear[2], depth, depth)
        ffn_block(layer.ffn)

    index = {piece: i for i, piece in enumerate(vocabulary)}
    projection = zeros(vocab_size, depth)
    for step, piece in enumerate([*target, "</s>"]):
        projection[index[piece], step] = _LOGIT_SCALE
    decoder.projection.weight = projection
    decoder.projection.bias = zeros(vocab_size)
    return spec
