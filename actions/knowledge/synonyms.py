"""Staff-editable synonym groups (``knowledge/synonyms.yml``), applied to lexical search."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from actions.knowledge.text import has_chinese

SYNONYMS_FILE = "synonyms.yml"


class SynonymTable:
    """Expands a text with the other words of every synonym group it mentions."""

    def __init__(self, groups: list[list[str]]) -> None:
        self._groups = [[term.lower() for term in group] for group in groups if len(group) > 1]
        self._patterns = [
            [
                re.compile(re.escape(term) if has_chinese(term) else rf"\b{re.escape(term)}\b")
                for term in group
            ]
            for group in self._groups
        ]

    @classmethod
    def load(cls, path: Path) -> SynonymTable:
        """Reads the table; a missing file means no synonyms.

        Raises:
            ValueError: the file is not a list of groups of words.
        """
        if not path.exists():
            return cls([])
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        groups = data.get("groups") if isinstance(data, dict) else None
        if not isinstance(groups, list) or not all(
            isinstance(g, list) and all(isinstance(t, str) for t in g) for g in groups
        ):
            raise ValueError(f"{path}: 'groups' must be a list of lists of words")
        return cls(groups)

    def expand(self, text: str) -> str:
        """``text`` followed by the other words of each group it contains."""
        lowered = text.lower()
        additions = [
            " ".join(group)
            for group, patterns in zip(self._groups, self._patterns, strict=True)
            if any(p.search(lowered) for p in patterns)
        ]
        return f"{text} {' '.join(additions)}" if additions else text
