"""Hand-written interface strings for every supported language (``data/strings/<code>.yml``).

They make the bot and kiosk chrome speak every language even with no translation model
installed. A missing key or language falls back to English.
"""

from __future__ import annotations

import logging
from pathlib import Path

import yaml

from bot.errors import ConfigurationError
from bot.language.registry import DATA_DIR

log = logging.getLogger(__name__)
FALLBACK_LANGUAGE = "en"


class StringCatalogue:
    """Looks up an interface string by key and language."""

    def __init__(self, strings: dict[str, dict[str, str]]) -> None:
        if FALLBACK_LANGUAGE not in strings:
            raise ConfigurationError("the interface strings have no English file (en.yml)")
        self._strings = strings

    @classmethod
    def load(cls, folder: Path = DATA_DIR / "strings") -> StringCatalogue:
        strings: dict[str, dict[str, str]] = {}
        for path in sorted(folder.glob("*.yml")):
            try:
                loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as error:
                raise ConfigurationError(
                    f"cannot read interface strings {path}: {error}"
                ) from error
            if not isinstance(loaded, dict):
                raise ConfigurationError(f"{path} must be a mapping of key: text")
            strings[path.stem] = {str(k): str(v) for k, v in loaded.items()}
        return cls(strings)

    @property
    def languages(self) -> list[str]:
        return sorted(self._strings)

    def keys(self) -> set[str]:
        return set(self._strings[FALLBACK_LANGUAGE])

    def get(self, key: str, language: str, **params: object) -> str:
        """The string ``key`` in ``language`` (English when missing), with ``{params}`` filled."""
        text = self._strings.get(language, {}).get(key)
        if text is None:
            text = self._strings[FALLBACK_LANGUAGE].get(key)
            if text is None:
                raise KeyError(f"no interface string {key!r}")
        try:
            return text.format(**params) if params else text
        except (KeyError, IndexError, ValueError):
            log.warning("interface string %s/%s has bad placeholders", language, key)
            return self._strings[FALLBACK_LANGUAGE][key].format(**params)

    def all_for(self, language: str) -> dict[str, str]:
        """Every string in ``language``, English filling the gaps (for the widget)."""
        merged = dict(self._strings[FALLBACK_LANGUAGE])
        merged.update(self._strings.get(language, {}))
        return merged
