"""Translates whole texts (messages, replies) with their protected parts intact.

Per line of the text: list markers and ``**`` emphasis are kept out of the model; the protected
parts (:mod:`bot.language.protection`) become placeholders and the line's sentences are
translated in one batch with every other line's. A line whose placeholders do not all come back
is translated again part by part, the protected parts never going through the model. Every
sentence and the whole result pass the quality guard (:mod:`bot.language.guard`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from bot.language.guard import check_sentence, check_translation
from bot.language.protection import (
    Glossary,
    Part,
    restore_placeholders,
    split_protected,
    with_placeholders,
)
from bot.language.sentences import join_sentences, split_sentences

_LINE_PREFIX = re.compile(r"^(\s*(?:[-*•]|\d{1,2}[.)]|#{1,6})\s+)?(.*)$", re.DOTALL)
_HAS_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


class SentenceTranslator(Protocol):
    """Translates a batch of sentences (the Argos engine; a fake in unit tests)."""

    def translate(self, sentences: list[str], source: str, target: str) -> list[str]: ...


@dataclass(frozen=True)
class Translation:
    """The result of translating one text.

    Attributes:
        text: The translation, or the original when ``failure`` is set.
        failure: Why the guard rejected the machine output (None when it is usable).
    """

    text: str
    failure: str | None = None


@dataclass
class _Line:
    prefix: str
    body: str
    parts: list[Part]
    sentences: list[str]
    by_parts: bool = False
    output: str | None = None


class TextTranslator:
    """Translates texts through a :class:`SentenceTranslator`, protecting what must not change.

    Args:
        engine: Translates sentences.
        glossary: Official terms.
    """

    def __init__(self, engine: SentenceTranslator, glossary: Glossary) -> None:
        self._engine = engine
        self._glossary = glossary

    def translate_texts(self, texts: list[str], source: str, target: str) -> list[Translation]:
        """Each of ``texts`` from ``source`` to ``target``; all sentences go in one batch."""
        per_text = [self._lines(text, source, target) for text in texts]
        lines = [line for text_lines in per_text for line in text_lines]
        failures: set[int] = set()

        # First pass: whole sentences with placeholders.
        batch = [s for line in lines for s in line.sentences]
        outputs = iter(self._engine.translate(batch, source, target) if batch else [])
        retry: list[_Line] = []
        for line in lines:
            if line.by_parts:
                retry.append(line)
                continue
            if not line.sentences:
                line.output = "".join(p.output if p.protected else p.text for p in line.parts)
                continue
            translated = [next(outputs) for _ in line.sentences]
            if any(map(check_sentence, line.sentences, translated)):
                failures.add(id(line))
            restored = restore_placeholders(join_sentences(translated, target), line.parts)
            if restored is None:
                retry.append(line)
            else:
                line.output = restored

        # Second pass: part by part for the lines whose placeholders did not survive.
        pieces = [
            sentence
            for line in retry
            for part in line.parts
            if not part.protected and _HAS_LETTER.search(part.text)
            for sentence in split_sentences(part.text)
        ]
        piece_outputs = iter(self._engine.translate(pieces, source, target) if pieces else [])
        for line in retry:
            rebuilt = []
            for part in line.parts:
                if part.protected:
                    rebuilt.append(part.output)
                elif _HAS_LETTER.search(part.text):
                    sentences = split_sentences(part.text)
                    pieces_out = [next(piece_outputs) for _ in sentences]
                    if any(map(check_sentence, sentences, pieces_out)):
                        failures.add(id(line))
                    lead = part.text[: len(part.text) - len(part.text.lstrip())]
                    tail = part.text[len(part.text.rstrip()) :]
                    rebuilt.append(lead + join_sentences(pieces_out, target) + tail)
                else:
                    rebuilt.append(part.text)
            line.output = "".join(rebuilt)

        results = []
        for text, text_lines in zip(texts, per_text, strict=True):
            if any(id(line) in failures for line in text_lines):
                results.append(Translation(text, "bad_sentence"))
                continue
            output = "\n".join(line.prefix + (line.output or "") for line in text_lines)
            if not any(line.sentences or line.by_parts for line in text_lines):
                results.append(Translation(output))  # only URLs, numbers, names: nothing to do
                continue
            protected = [p.output for line in text_lines for p in line.parts if p.protected]
            failure = check_translation(text.replace("**", ""), output, protected)
            results.append(Translation(text, failure) if failure else Translation(output))
        return results

    def _lines(self, text: str, source: str, target: str) -> list[_Line]:
        lines = []
        for raw in text.split("\n"):
            match = _LINE_PREFIX.match(raw)
            prefix, body = (match.group(1) or "", match.group(2)) if match else ("", raw)
            body = body.replace("**", "")
            parts = split_protected(body, source, target, self._glossary)
            sentences: list[str] = []
            by_parts = False
            if _HAS_LETTER.search("".join(p.text for p in parts if not p.protected)):
                masked = with_placeholders(parts)
                # "[n]" already in the text: go straight to translating part by part.
                by_parts = masked is None
                sentences = split_sentences(masked) if masked is not None else []
            lines.append(_Line(prefix, body, parts, sentences, by_parts))
        return lines
