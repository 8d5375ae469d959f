"""The quality guard on machine output: catches the ways NMT fails visibly.

A failed check means the user gets the English original with a short localized note instead of
a translation nobody can trust.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

_URL = re.compile(r"(?:https?://|www\.)\S*[^\s.,;:!?)]")
_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]{3,}")
_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\u0e00-\u0e7f]|[^\W_]+", re.UNICODE)
# An n-gram (n <= 4) repeated this many times in a row is a decoding loop ("the the the the").
_LOOP_REPEATS = 4
# Translations longer than this many times the source (plus slack) are hallucinations.
_MAX_LENGTH_RATIO = 4.0


def _normalized(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def has_loop(text: str) -> bool:
    """True when some 1-4-token sequence repeats at least four times in a row."""
    tokens = [token.casefold() for token in _TOKEN.findall(text)]
    for size in range(1, 5):
        for start in range(len(tokens) - size * _LOOP_REPEATS + 1):
            unit = tokens[start : start + size]
            if all(
                tokens[start + k * size : start + (k + 1) * size] == unit
                for k in range(1, _LOOP_REPEATS)
            ):
                return True
    return False


def check_sentence(source: str, translated: str) -> str | None:
    """Why one machine-translated sentence is unusable (``empty``, ``loop``, ``too_long``)."""
    if not translated.strip():
        return "empty" if source.strip() else None
    if has_loop(translated) and not has_loop(source):
        return "loop"
    if len(translated) > _MAX_LENGTH_RATIO * len(source) + 40:
        return "too_long"
    return None


def check_translation(source: str, translated: str, protected: list[str]) -> str | None:
    """Why ``translated`` must not be shown instead of ``source``, or None when it may.

    Args:
        source: The whole text given to the translator.
        translated: The whole translation, protected parts restored.
        protected: The protected values (URLs, numbers, terms) that must appear in it.

    Returns:
        ``empty``, ``unchanged``, ``loop``, ``lost_protected``, ``lost_number``, ``lost_url``,
        or None.
    """
    if not translated.strip():
        return "empty" if source.strip() else None
    if _LETTERS.search(source) and _normalized(translated) == _normalized(source):
        return "unchanged"
    if has_loop(translated) and not has_loop(source):
        return "loop"
    if any(value not in translated for value in protected):
        return "lost_protected"
    missing = Counter(_DIGITS.findall(source)) - Counter(_DIGITS.findall(translated))
    if missing:
        return "lost_number"
    if any(url not in translated for url in _URL.findall(source)):
        return "lost_url"
    return None
