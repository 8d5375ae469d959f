"""The language layer with identification and Argos translation (30 languages via English).

English and Chinese are native: nothing is translated for them. For another language, the
user's message goes to Rasa in English and the replies come back in the user's language. What
cannot be translated never becomes an error:

* a language whose package is not installed: the user's own text goes to Rasa (names and
  terms may still match) and the replies stay English with the localized "not installed" note;
* machine output the quality guard rejects: the English original with the localized
  "translation failed" note.

Replies that are exactly one of our hand-written interface strings (button titles such as
"Talk to a person", and every response of domain.yml: tests/unit/language/
test_domain_responses.py) use the hand-written string of the user's language, installed or not.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable
from dataclasses import replace
from typing import Protocol

from bot.conversation.messages import (
    NATIVE_LANGUAGES,
    PIVOT_LANGUAGE,
    SHARED_REPLY_KINDS,
    STRING_KEY,
    STRING_PARAMS,
    Button,
    Reply,
)
from bot.language.detection import LanguageIdentifier
from bot.language.layer import NativeOnlyLanguageLayer
from bot.language.protection import Glossary
from bot.language.registry import LanguageRegistry
from bot.language.reply_memory import ReplyMemory
from bot.language.strings import FALLBACK_LANGUAGE, StringCatalogue
from bot.language.translator import SentenceTranslator, TextTranslator, Translation
from bot.language.values import render_params
from bot.settings import Settings

log = logging.getLogger(__name__)


class TranslationEngine(SentenceTranslator, Protocol):
    """What the layer needs from the Argos engine (a fake in unit tests)."""

    def can_translate(self, source: str, target: str) -> bool: ...

    def revision(self) -> Hashable:
        """Changes whenever the installed packages change."""
        ...


class TranslatingLanguageLayer:
    """Identification, translation to the pivot, and localization of replies.

    Args:
        identifier: Language identification.
        engine: Sentence translation (:class:`bot.language.argos.ArgosEngine`).
        strings: Hand-written interface strings (notes, button titles).
        registry: The supported languages and their Argos codes.
        glossary: Official terms that must not be paraphrased.
        reply_memory_size: Translated replies kept (:mod:`bot.language.reply_memory`).
    """

    def __init__(
        self,
        identifier: LanguageIdentifier,
        engine: TranslationEngine,
        strings: StringCatalogue,
        registry: LanguageRegistry,
        glossary: Glossary,
        reply_memory_size: int = 0,
    ) -> None:
        self._identifier = identifier
        self._engine = engine
        self._text = TextTranslator(engine, glossary)
        self._reply_memory = ReplyMemory(reply_memory_size)
        self._strings = strings
        self._registry = registry
        english = strings.all_for(FALLBACK_LANGUAGE)
        self._interface_keys = {text: key for key, text in english.items()}

    def identify(self, text: str, current: str | None) -> str:
        return self._identifier.identify(text, current)

    def warm_up(self) -> None:
        """Loads the language-ID models (seconds of CPU), so no user message waits for them."""
        self._identifier.warm_up()

    def _argos(self, language: str) -> str:
        entry = self._registry.get(language)
        return entry.argos if entry is not None else language

    async def to_pivot(self, text: str, language: str) -> str:
        if language in NATIVE_LANGUAGES:
            return text
        return await asyncio.to_thread(self._to_pivot, text, language)

    def _to_pivot(self, text: str, language: str) -> str:
        source = self._argos(language)
        if not self._engine.can_translate(source, PIVOT_LANGUAGE):
            log.info("no %s->en package: the original text goes to Rasa", source)
            return text
        result = self._text.translate_texts([text], source, PIVOT_LANGUAGE)[0]
        if result.failure:
            log.warning(
                "%s->en translation rejected (%s): the original goes to Rasa",
                source,
                result.failure,
            )
        return result.text

    async def localize(self, replies: list[Reply], language: str) -> list[Reply]:
        if language in NATIVE_LANGUAGES or all(r.language == language for r in replies):
            return replies
        return await asyncio.to_thread(self._localize, replies, language)

    async def localize_all(self, replies: list[Reply], language: str) -> list[Reply]:
        if all(r.language == language for r in replies):
            return replies
        return await asyncio.to_thread(self._localize, replies, language)

    def _translate_reply_texts(
        self, texts: list[str], shareable: list[bool], source: str, target: str
    ) -> list[Translation]:
        """Reply texts and titles. A shareable one (knowledge content, the same for every
        user) is translated once per language and then taken from the memory; the others,
        which may hold what a user typed, are never kept."""
        revision = self._engine.revision()
        results = [
            self._reply_memory.get(revision, source, target, text) if keep else None
            for text, keep in zip(texts, shareable, strict=True)
        ]
        missing = [i for i, result in enumerate(results) if result is None]
        if missing:
            fresh = self._text.translate_texts([texts[i] for i in missing], source, target)
            for i, translation in zip(missing, fresh, strict=True):
                results[i] = translation
                if shareable[i]:
                    self._reply_memory.put(revision, source, target, texts[i], translation)
        return [result for result in results if result is not None]

    def _handwritten(self, text: str, language: str) -> str | None:
        """The catalogue string whose English text ``text`` is, in ``language``; a leading
        symbol such as an emoji ("👍 Helpful") is kept in front of it."""
        text = text.strip()
        key = self._interface_keys.get(text)
        if key:
            return self._strings.get(key, language)
        symbol, _, rest = text.partition(" ")
        key = self._interface_keys.get(rest.strip())
        if key and symbol and not any(character.isalnum() for character in symbol):
            return f"{symbol} {self._strings.get(key, language)}"
        return None

    def _keyed(self, reply: Reply, language: str) -> str | None:
        """The catalogue string the action named, when the user's language has it."""
        return self._keyed_string(
            reply.data.get(STRING_KEY), reply.data.get(STRING_PARAMS), language
        )

    def _keyed_string(self, key: object, params: object, language: str) -> str | None:
        if isinstance(key, str) and key in self._interface_keys.values():
            if isinstance(params, dict) and params:
                values = render_params(params, language, self._lookup)
                return self._strings.get(key, language, **values)
            return self._strings.get(key, language)
        return None

    def _title(self, button: Button, language: str) -> str | None:
        """A button's title in ``language`` from the catalogue: the key the action named, or
        the string whose English text the title is."""
        keyed = self._keyed_string(button.string, button.string_params, language)
        return keyed if keyed is not None else self._handwritten(button.title, language)

    def _lookup(self, key: str, language: str, **params: object) -> str:
        """A catalogue string named by a typed placeholder value (``{"key": ...}``)."""
        if key not in self._interface_keys.values():
            raise KeyError(key)
        return self._strings.get(key, language, **params)

    def _buttons(self, reply: Reply, language: str) -> tuple[Button, ...]:
        return tuple(Button(self._title(b, language) or b.title, b.payload) for b in reply.buttons)

    def _localize(self, replies: list[Reply], language: str) -> list[Reply]:
        results = list(replies)
        by_source: dict[str, list[int]] = {}
        titles_only: dict[str, list[int]] = {}
        for position, reply in enumerate(replies):
            if reply.language == language:
                continue
            handwritten = self._keyed(reply, language) or self._handwritten(reply.text, language)
            if handwritten is not None or not reply.text.strip():
                results[position] = replace(
                    reply,
                    text=handwritten if handwritten is not None else reply.text,
                    language=language,
                    buttons=self._buttons(reply, language),
                )
                titles_only.setdefault(reply.language, []).append(position)
                continue
            by_source.setdefault(reply.language, []).append(position)
        self._translate_titles(results, replies, titles_only, language)

        noted = False
        target = self._argos(language)
        for source_language, positions in by_source.items():
            source = self._argos(source_language)
            if not self._engine.can_translate(source, target):
                for position in positions:
                    reply = results[position]
                    notes = reply.notes
                    if not noted:
                        notes = (*notes, self._strings.get("translation_not_installed", language))
                        noted = True
                    results[position] = replace(
                        reply, buttons=self._buttons(reply, language), notes=notes
                    )
                continue
            self._translate_replies(results, positions, source, target, language)
        return results

    def _translate_titles(
        self,
        results: list[Reply],
        originals: list[Reply],
        by_source: dict[str, list[int]],
        language: str,
    ) -> None:
        """Machine-translates the button titles of hand-written replies that have no
        hand-written string (e.g. knowledge entry titles under a keyed "did you mean")."""
        target = self._argos(language)
        for source_language, positions in by_source.items():
            source = self._argos(source_language)
            wanted = [
                (position, j)
                for position in positions
                for j, button in enumerate(originals[position].buttons)
                if self._title(button, language) is None and button.title.strip()
            ]
            if not wanted or not self._engine.can_translate(source, target):
                continue
            texts = [originals[p].buttons[j].title for p, j in wanted]
            shareable = [originals[p].kind in SHARED_REPLY_KINDS for p, _ in wanted]
            translations = self._translate_reply_texts(texts, shareable, source, target)
            for (position, j), translation in zip(wanted, translations, strict=True):
                if translation.failure:
                    continue
                buttons = list(results[position].buttons)
                buttons[j] = Button(translation.text, buttons[j].payload)
                results[position] = replace(results[position], buttons=tuple(buttons))

    def _translate_replies(
        self, results: list[Reply], positions: list[int], source: str, target: str, language: str
    ) -> None:
        originals = [results[p] for p in positions]
        untranslated_titles = [
            (i, j)
            for i, reply in enumerate(originals)
            for j, button in enumerate(reply.buttons)
            if self._title(button, language) is None and button.title.strip()
        ]
        texts = [reply.text for reply in originals] + [
            originals[i].buttons[j].title for i, j in untranslated_titles
        ]
        shared = [reply.kind in SHARED_REPLY_KINDS for reply in originals]
        shareable = shared + [shared[i] for i, _ in untranslated_titles]
        translations = self._translate_reply_texts(texts, shareable, source, target)
        titles = {
            key: translation
            for key, translation in zip(
                untranslated_titles, translations[len(originals) :], strict=True
            )
        }
        for i, (position, reply) in enumerate(zip(positions, originals, strict=True)):
            translation = translations[i]
            if translation.failure:
                log.warning(
                    "machine translation %s->%s rejected (%s); the original is shown",
                    source,
                    target,
                    translation.failure,
                )
                note = self._strings.get("translation_failed", language)
                results[position] = replace(
                    reply, buttons=self._buttons(reply, language), notes=(*reply.notes, note)
                )
                continue
            buttons = []
            for j, button in enumerate(reply.buttons):
                title = self._title(button, language)
                translated = titles.get((i, j))
                if title is None and translated is not None and not translated.failure:
                    title = translated.text
                buttons.append(Button(title or button.title, button.payload))
            results[position] = replace(
                reply,
                text=translation.text,
                language=language,
                buttons=tuple(buttons),
                machine_translated=translation.text != reply.text,
            )


def build_language_layer(
    settings: Settings, strings: StringCatalogue, registry: LanguageRegistry
) -> TranslatingLanguageLayer | NativeOnlyLanguageLayer:
    """The production language layer: identification + Argos, or native-only when disabled.

    Cheap: the detection models and the Argos packages load on first use.
    """
    if not settings.translation.enabled:
        return NativeOnlyLanguageLayer()
    from bot.language.argos import ArgosEngine

    engine = ArgosEngine(
        settings.path(settings.translation.models_dir),
        settings.translation.cache_size,
        threads=settings.translation.threads,
    )
    identifier = LanguageIdentifier(
        registry.codes, high_accuracy=settings.translation.detection_high_accuracy
    )
    return TranslatingLanguageLayer(
        identifier,
        engine,
        strings,
        registry,
        Glossary.load(),
        reply_memory_size=settings.translation.reply_memory_size,
    )
