"""The one conversation path shared by every channel."""

from bot.conversation.messages import Button, IncomingMessage, Link, Reply, Source, Turn
from bot.conversation.service import ConversationService

__all__ = ["Button", "ConversationService", "IncomingMessage", "Link", "Reply", "Source", "Turn"]
