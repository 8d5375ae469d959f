"""The knowledge base as staff see it in the console: search it for a quick reply.

Read with the action server's own loader and checker (``actions.knowledge.loader``), so the
console offers exactly the entries the assistant answers from. The folder is read again when a
file in it changed (a staff edit, or ``git pull``).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.knowledge.entry import KnowledgeEntry
from actions.knowledge.loader import Problem, entry_files, load_knowledge

_WORD = re.compile(r"[\w]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MAX_QUERY_CHARS = 200


@dataclass(frozen=True)
class EntryHit:
    id: str
    title: dict[str, str]
    answers: dict[str, str]
    score: float


def _terms(text: str) -> set[str]:
    """Words, and each Chinese character pair (Chinese has no spaces between words)."""
    text = text.lower()
    terms = {word for word in _WORD.findall(text) if not _HAN.search(word)}
    han = "".join(_HAN.findall(text))
    terms.update(han[i : i + 2] for i in range(len(han) - 1))
    if len(han) == 1:
        terms.add(han)
    return terms


class StaffKnowledge:
    """Searches ``folder``'s entries by title, questions and tags (English and Chinese).

    Args:
        folder: The knowledge folder.
        languages: The supported language codes (the checker refuses others).
    """

    def __init__(self, folder: Path, languages: Iterable[str]) -> None:
        self.folder = folder
        self._languages = list(languages)
        self._lock = threading.Lock()
        self._stamp: tuple[tuple[str, float], ...] | None = None
        self._entries: dict[str, KnowledgeEntry] = {}

    def _fingerprint(self) -> tuple[tuple[str, float], ...]:
        return tuple((str(p), p.stat().st_mtime) for p in entry_files(self.folder))

    def entries(self) -> dict[str, KnowledgeEntry]:
        """The valid entries by id (read again when a file changed)."""
        with self._lock:
            stamp = self._fingerprint()
            if stamp != self._stamp:
                loaded = load_knowledge(self.folder, self._languages)
                self._entries = {entry.id: entry for entry in loaded.entries}
                self._stamp = stamp
            return self._entries

    def get(self, entry_id: str) -> KnowledgeEntry | None:
        return self.entries().get(entry_id)

    def check(self) -> dict[str, Any]:
        """The checker's report, as ``python -m actions.knowledge check`` prints it."""
        result = load_knowledge(self.folder, self._languages)

        def listed(problems: list[Problem]) -> list[dict[str, Any]]:
            return [
                {
                    "file": str(p.path.relative_to(self.folder)),
                    "line": p.line,
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in problems
            ]

        return {
            "entries": len(result.entries),
            "problems": listed(result.problems),
            "expired": listed(result.expired),
            "due_for_review": listed(result.due_for_review),
            "home_page_sources": listed(result.home_page_sources),
        }

    def search(self, query: str, limit: int = 8) -> list[EntryHit]:
        wanted = _terms(query[:MAX_QUERY_CHARS])
        if not wanted:
            return []
        hits = []
        for entry in self.entries().values():
            texts = [
                *entry.title.values(),
                *(q for questions in entry.questions.values() for q in questions),
                *entry.tags,
                entry.id.replace("-", " "),
            ]
            have = _terms(" ".join(texts))
            score = len(wanted & have) / len(wanted)
            if score > 0:
                hits.append(EntryHit(entry.id, dict(entry.title), dict(entry.answers), score))
        hits.sort(key=lambda hit: (-hit.score, hit.id))
        return hits[:limit]
