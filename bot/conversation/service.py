"""The conversation service: the one path from any channel to Rasa and back."""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections import OrderedDict
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from typing import Protocol

from bot.conversation.answered import AnsweredMessages, InMemoryAnsweredMessages
from bot.conversation.handoff import BACK_TO_ASSISTANT, HandoffDesk
from bot.conversation.messages import (
    NATIVE_LANGUAGES,
    PIVOT_LANGUAGE,
    IncomingMessage,
    Reply,
    Turn,
    native_reply_language,
)
from bot.conversation.rasa_client import RasaClient, parse_rasa_messages
from bot.conversation.turn_lock import InProcessTurnLocks, TurnLocks
from bot.errors import AssistantUnavailableError, InvalidMessageError, TurnTimeoutError
from bot.language.layer import LanguageLayer
from bot.language.strings import StringCatalogue
from bot.metrics import Metrics

log = logging.getLogger(__name__)

# Control characters other than tab and newlines mean the "text" is really binary data.
_ALLOWED_CONTROL = {"\t", "\n", "\r"}


def clean_text(text: str, max_chars: int) -> str:
    """Normalizes a user's text and rejects what cannot be a message.

    Raises:
        InvalidMessageError: empty, too long, or binary content.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        raise InvalidMessageError("empty_text", "the message is empty")
    if len(text) > max_chars:
        raise InvalidMessageError(
            "text_too_long", f"the message has {len(text)} characters; the limit is {max_chars}"
        )
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROL for ch in text):
        raise InvalidMessageError("binary_text", "the message contains binary control characters")
    return text


# A Rasa payload from a pressed button ("/intent" or '/intent{"entity": "value"}'): it is
# passed through untranslated and never changes the conversation's language.
_PAYLOAD = re.compile(r"^/[A-Za-z_][A-Za-z0-9_]*(\{.*\})?$", re.DOTALL)


def is_payload(text: str) -> bool:
    return bool(_PAYLOAD.match(text))


@dataclass(frozen=True)
class LanguageState:
    """A conversation's language, and whether the user chose it (a choice beats detection)."""

    language: str
    chosen: bool = False


class LanguageMemory(Protocol):
    """Remembers each conversation's current language (short messages keep it)."""

    def get(self, sender_id: str) -> LanguageState | None: ...

    def set(self, sender_id: str, state: LanguageState) -> None: ...

    def forget(self, sender_id: str) -> None: ...


class InMemoryLanguageMemory:
    """A bounded in-process memory, enough for one gateway process."""

    def __init__(self, capacity: int = 100_000) -> None:
        self._states: OrderedDict[str, LanguageState] = OrderedDict()
        self._capacity = capacity

    def get(self, sender_id: str) -> LanguageState | None:
        return self._states.get(sender_id)

    def set(self, sender_id: str, state: LanguageState) -> None:
        self._states[sender_id] = state
        self._states.move_to_end(sender_id)
        while len(self._states) > self._capacity:
            self._states.popitem(last=False)

    def forget(self, sender_id: str) -> None:
        self._states.pop(sender_id, None)


class ConversationService:
    """Takes a message from any channel and returns the assistant's replies.

    Args:
        rasa: The Rasa client.
        language: Identification and translation.
        strings: Interface strings, for the replies the service writes itself.
        supported_languages: Codes a user may choose.
        memory: Each conversation's current language.
        max_text_chars: The longest message accepted.
        turn_locks: Serializes each conversation's turns (across gateways in production).
        answered: The turns of processed message ids (exactly-once per id).
        answer_timeout_seconds: How long a caller waits for its turn. A turn still running
            then is finished in the background and stored, so a retry with the same id gets it.
        metrics: Prometheus metrics (messages, stage latencies, errors).
        handoffs: The staff inbox: a conversation staff hold goes there instead of to Rasa.
    """

    def __init__(
        self,
        rasa: RasaClient,
        language: LanguageLayer,
        strings: StringCatalogue,
        supported_languages: set[str],
        memory: LanguageMemory | None = None,
        max_text_chars: int = 2000,
        turn_locks: TurnLocks | None = None,
        answered: AnsweredMessages | None = None,
        answer_timeout_seconds: float = 30.0,
        metrics: Metrics | None = None,
        handoffs: HandoffDesk | None = None,
    ) -> None:
        self._rasa = rasa
        self._language = language
        self._strings = strings
        self._supported = supported_languages
        self._memory = memory or InMemoryLanguageMemory()
        self._max_text_chars = max_text_chars
        self._turn_locks = turn_locks or InProcessTurnLocks()
        self._answered = answered or InMemoryAnsweredMessages()
        self._answer_timeout = answer_timeout_seconds
        self._running: set[asyncio.Task[Turn]] = set()
        self.metrics = metrics or Metrics()
        self._metrics = self.metrics
        self._handoffs = handoffs

    def _quoted_note(self, reply: Reply, language: str) -> Reply:
        """A passage quoted from an article says so, in the user's language."""
        reference = reply.data.get("reference") if reply.kind == "passage_answer" else None
        if not reference:
            return reply
        note = self._strings.get("quoted_from_document", language, document=str(reference))
        return replace(reply, notes=(*reply.notes, note))

    @property
    def strings(self) -> StringCatalogue:
        return self._strings

    @property
    def language_layer(self) -> LanguageLayer:
        return self._language

    @property
    def handoffs(self) -> HandoffDesk | None:
        return self._handoffs

    async def rasa_ready(self) -> bool:
        """True when a Rasa server answers (the gateway's readiness check)."""
        return await self._rasa.is_ready()

    def language_of(self, message: IncomingMessage) -> str:
        """The language the service would answer ``message`` in, without sending it."""
        if message.language:
            return message.language
        state = self._memory.get(message.sender_id)
        return state.language if state else PIVOT_LANGUAGE

    def choose_language(
        self, user_id: str, channel: str, language: str, conversation_id: str | None = None
    ) -> Reply:
        """Records the user's explicit choice (Telegram /language, the kiosk picker).

        The choice wins over detection until the user chooses again or the conversation is
        forgotten. Returns the confirmation, in the chosen language.

        Raises:
            InvalidMessageError: ``language`` is not supported.
        """
        self._check_supported(language)
        sender_id = IncomingMessage(user_id, channel, "", conversation_id=conversation_id).sender_id
        self._memory.set(sender_id, LanguageState(language, chosen=True))
        return Reply(self._strings.get("language_changed", language), language)

    def holding_turn(self, sender_id: str) -> AbstractAsyncContextManager[None]:
        """Holds a conversation's turn lock (the wipe deletes its rows under it)."""
        return self._turn_locks.hold(sender_id)

    def forget(self, user_id: str, channel: str, conversation_id: str | None = None) -> None:
        """Drops what the service remembers of a conversation (the kiosk's idle wipe)."""
        self._memory.forget(
            IncomingMessage(user_id, channel, "", conversation_id=conversation_id).sender_id
        )

    def _check_supported(self, language: str) -> None:
        if language not in self._supported:
            raise InvalidMessageError(
                "unsupported_language",
                f"language {language!r} is not supported; "
                f"choose one of: {', '.join(sorted(self._supported))}",
            )

    def _language_for(self, message: IncomingMessage, text: str) -> LanguageState:
        """An explicit language on the message, then a remembered choice, then detection."""
        if message.language is not None:
            self._check_supported(message.language)
            return LanguageState(message.language, True)
        state = self._memory.get(message.sender_id)
        if state is not None and (state.chosen or is_payload(text)):
            return state
        current = state.language if state else None
        return LanguageState(self._language.identify(text, current))

    async def handle(self, message: IncomingMessage) -> Turn:
        """Runs one user message through language handling and Rasa, once per message id.

        A message whose id was processed gets the stored turn; one whose earlier copy is still
        running waits for it. The turn runs as its own task: a caller that gives up (timeout,
        closed socket) does not cut it short, so Rasa never holds a turn the gateway lost.

        Raises:
            InvalidMessageError: the text or the chosen language cannot be accepted.
            AssistantUnavailableError: Rasa cannot answer now (retry with the same id).
            TurnTimeoutError: the turn is still running; a retry with the same id gets it.
        """
        text = clean_text(message.text, self._max_text_chars)
        task = asyncio.create_task(self._complete(message, text))
        self._running.add(task)
        task.add_done_callback(self._finished)
        try:
            return await asyncio.wait_for(asyncio.shield(task), self._answer_timeout)
        except AssistantUnavailableError:
            self._metrics.errors.labels("assistant_unavailable").inc()
            raise
        except TimeoutError as error:
            self._metrics.errors.labels("timeout").inc()
            raise TurnTimeoutError(
                f"the turn of {message.sender_id} takes over {self._answer_timeout:.0f} s; "
                "it finishes in the background: send the message again with the same id"
            ) from error

    def _finished(self, task: asyncio.Task[Turn]) -> None:
        self._running.discard(task)
        if not task.cancelled() and task.exception() is not None:
            # Retrieved here so a turn whose caller gave up still logs its failure once.
            log.debug("a turn failed: %s", task.exception())

    async def drain(self, timeout: float) -> None:
        """Waits (at most ``timeout``) for turns still running, before the process stops."""
        if self._running:
            log.info("waiting for %d running turns", len(self._running))
            await asyncio.wait(set(self._running), timeout=timeout)

    async def _complete(self, message: IncomingMessage, text: str) -> Turn:
        # One turn at a time per conversation: the language read here and Rasa's tracker must
        # see the previous turn finished, and a repeated id must see its first copy's turn.
        async with self._turn_locks.hold(message.sender_id):
            if message.message_id is not None:
                stored = await self._answered.get(message.sender_id, message.message_id)
                if stored is not None:
                    self._metrics.repeats.inc()
                    log.info(
                        "message %s of %s answered again", message.message_id, message.sender_id
                    )
                    return stored
            with self._metrics.stage("turn"):
                turn = await self._run_turn(message, text)
            if message.message_id is not None:
                await self._answered.put(message.sender_id, message.message_id, turn)
            return turn

    async def _run_turn(self, message: IncomingMessage, text: str) -> Turn:
        with self._metrics.stage("language_id"):
            state = self._language_for(message, text)
        language = state.language
        if self._handoffs is not None:
            held = await asyncio.to_thread(self._handoffs.held_request, message.sender_id)
            if held is not None:
                return await self._relay_to_staff(self._handoffs, held, message, text, state)
        if language in NATIVE_LANGUAGES or is_payload(text):
            rasa_text = text
        else:
            with self._metrics.stage("translate_in"):
                rasa_text = await self._language.to_pivot(text, language)
        metadata = {"language": language, "original_text": text, "channel": message.channel}
        if message.message_id is not None:
            metadata["message_id"] = message.message_id
        with self._metrics.stage("rasa"):
            raw = await self._rasa.send(message.sender_id, rasa_text, metadata)
        replies = parse_rasa_messages(raw, native_reply_language(language))
        if not replies:
            # Rasa answers nothing when an action failed (the action server down or
            # restarting): it logs the error and carries on. Never a silent turn, and never a
            # stored "something went wrong" either: nothing is stored, so the client's retry
            # with the same id runs the turn again once the actions are back.
            raise AssistantUnavailableError(
                "Rasa answered nothing (did a custom action fail? is the action server "
                "running? try: python -m bot doctor); send the message again with the same id"
            )
        with self._metrics.stage("translate_out"):
            replies = await self._language.localize(replies, language)
        replies = [self._quoted_note(reply, language) for reply in replies]
        self._memory.set(message.sender_id, state)
        self._metrics.messages.labels(message.channel, language).inc()
        return Turn(language=language, replies=replies)

    async def _relay_to_staff(
        self,
        desk: HandoffDesk,
        request_id: int,
        message: IncomingMessage,
        text: str,
        state: LanguageState,
    ) -> Turn:
        """A message for the staff member who holds the conversation (Rasa never sees it).

        Staff read Chinese or English: a message in another language is stored with its
        English rendering beside it. The reply comes later, from staff, over the channel.
        """
        language = state.language
        self._memory.set(message.sender_id, state)
        if text == BACK_TO_ASSISTANT:
            await asyncio.to_thread(desk.hand_back, request_id, "user")
            ended = self._strings.get("handoff_ended", language)
            return Turn(language, [Reply(ended, language, kind="handoff_ended")])
        rendering = None
        if language not in NATIVE_LANGUAGES and not is_payload(text):
            with self._metrics.stage("translate_in"):
                rendering = await self._language.to_pivot(text, language)
        await asyncio.to_thread(
            desk.record_user_message,
            request_id,
            message.sender_id,
            message.channel,
            text,
            language,
            rendering if rendering != text else None,
        )
        self._metrics.messages.labels(message.channel, language).inc()
        return Turn(language=language, replies=[])
