"""Every action the server serves, built once with its collaborators."""

from __future__ import annotations

from dataclasses import dataclass

from rasa_sdk import Action

from actions.faq import ActionAnswerFromKnowledge
from actions.greeting import ActionGreetUser
from actions.knowledge.base import KnowledgeBase
from actions.knowledge.embedder import SentenceTransformerEmbedder
from actions.session import ActionValidateSlotMappings
from bot.language.registry import LanguageRegistry
from bot.settings import Settings
from bot.storage.database import create_database_engine, ensure_schema
from bot.storage.unanswered import UnansweredLog


@dataclass
class ActionServices:
    """The collaborators actions share. Cheap to build; :meth:`warm_up` does the heavy work."""

    knowledge: KnowledgeBase
    unanswered: UnansweredLog

    def warm_up(self) -> None:
        """Loads the embedding model and the knowledge index."""
        self.knowledge.warm_up()


def build_services(settings: Settings) -> ActionServices:
    engine = create_database_engine(settings.storage.database_url, settings.project_root)
    ensure_schema(engine)
    knowledge = KnowledgeBase(
        folder=settings.path(settings.knowledge.folder),
        index_dir=settings.path(settings.knowledge.index_dir),
        embedder=SentenceTransformerEmbedder(settings.knowledge.embedding_model),
        languages=LanguageRegistry.load().codes,
        multilingual=settings.knowledge.multilingual_embeddings,
        reload_interval=settings.knowledge.reload_interval_seconds,
    )
    return ActionServices(knowledge=knowledge, unanswered=UnansweredLog(engine))


def build_actions(settings: Settings, services: ActionServices) -> list[Action]:
    """The actions, in no particular order."""
    return [
        ActionValidateSlotMappings(),
        ActionGreetUser(),
        ActionAnswerFromKnowledge(
            services.knowledge,
            services.unanswered,
            min_confidence_latin=settings.knowledge.min_confidence_latin,
            min_confidence_chinese=settings.knowledge.min_confidence_chinese,
            suggestions=settings.knowledge.suggestions,
        ),
    ]
