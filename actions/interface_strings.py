"""Interface strings for replies written by actions, read from the one catalogue
(``bot/language/data/strings/<code>.yml``, the files the gateway uses too).

An action writes English or Chinese (its reply language) and names the key it used
(``send_reply(..., string=key)``); the gateway re-renders that key in the visitor's own language
when the catalogue has it, so an Arabic visitor reads Arabic, with no machine translation.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from bot.language.values import render_params

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "bot" / "language" / "data" / "strings"


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = CATALOGUE_DIR / f"{language}.yml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {str(key): str(value) for key, value in (loaded or {}).items()}


def interface_string(key: str, language: str, **params: object) -> str:
    """The catalogue's ``key`` in ``language`` (English when that language lacks it), with its
    ``{placeholders}`` filled from ``params`` (send the same ``params`` with the reply).
    Typed values (``bot.language.values``: a date, another key, opening hours) are written in
    ``language``.

    Raises:
        KeyError: the English catalogue has no such key either (a programming error).
    """
    text = _catalogue(language).get(key) or _catalogue("en")[key]
    if not params:
        return text
    return text.format(**render_params(params, language, interface_string))
