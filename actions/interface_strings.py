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

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "bot" / "language" / "data" / "strings"


@cache
def _catalogue(language: str) -> dict[str, str]:
    path = CATALOGUE_DIR / f"{language}.yml"
    loaded = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {str(key): str(value) for key, value in (loaded or {}).items()}


def interface_string(key: str, language: str, **params: object) -> str:
    """The catalogue's ``key`` in ``language`` (English when that language lacks it), with its
    ``{placeholders}`` filled from ``params`` (send the same ``params`` with the reply).

    Raises:
        KeyError: the English catalogue has no such key either (a programming error).
    """
    text = _catalogue(language).get(key) or _catalogue("en")[key]
    return text.format(**params) if params else text
