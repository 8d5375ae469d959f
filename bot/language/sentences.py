"""Sentence splitting for machine translation, by rule, with no model to download.

argostranslate would split with MiniSBD or stanza, both of which fetch models on first use.
Our texts are chat messages and short staff-written answers: punctuation rules are enough.
"""

from __future__ import annotations

import re

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "e.g i.e etc no nos mr mrs ms dr st vs approx dept tel fig p.m a.m ca cf".split()
)
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”»)]*\s+|(?<=[。！？])")
_LAST_WORD = re.compile(r"([\w.]+)[.]$")
# Scripts written without spaces between words (and between sentences).
_NO_SPACE_LANGUAGES = frozenset({"zh", "ja", "th"})


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` (one paragraph), without surrounding spaces."""
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        candidate = text[start : match.start()].strip()
        last = _LAST_WORD.search(candidate)
        if last and last.group(1).casefold() in _ABBREVIATIONS:
            continue
        if candidate:
            sentences.append(text[start : match.end()].strip())
            start = match.end()
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def join_sentences(sentences: list[str], language: str) -> str:
    return ("" if language in _NO_SPACE_LANGUAGES else " ").join(sentences)
