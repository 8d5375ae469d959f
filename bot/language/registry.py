"""The supported languages (``data/languages.yml``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.errors import ConfigurationError

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    native: str
    direction: str
    argos: str
    script: str

    @property
    def is_rtl(self) -> bool:
        return self.direction == "rtl"


class LanguageRegistry:
    """The languages TalentDesk speaks, in the order menus show them."""

    def __init__(self, languages: list[Language]) -> None:
        self._by_code = {language.code: language for language in languages}

    @classmethod
    def load(cls, path: Path = DATA_DIR / "languages.yml") -> LanguageRegistry:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            return cls([Language(**entry) for entry in raw["languages"]])
        except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
            raise ConfigurationError(
                f"cannot read the language registry {path}: {error}"
            ) from error

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Language]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Language | None:
        return self._by_code.get(code)

    @property
    def codes(self) -> list[str]:
        return list(self._by_code)
