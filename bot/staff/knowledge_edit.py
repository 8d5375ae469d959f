"""Staff turn what the assistant missed into knowledge: a new question on an existing entry,
or a new entry draft, written as a file in ``knowledge/``.

Every write is checked first by the action server's own checker (``load_knowledge`` on a
scratch copy with the same ``facts.yml``): a file the assistant would refuse is never saved.
The file is then replaced atomically, and the running assistant reloads the knowledge base
when it sees the change (``actions.knowledge.base``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from actions.knowledge.facts import FACTS_FILE_NAME
from actions.knowledge.loader import CATEGORIES, ID_PATTERN, load_knowledge
from bot.staff.knowledge import StaffKnowledge

_FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.DOTALL)
MAX_QUESTION_CHARS = 300


class KnowledgeEditError(Exception):
    """The change was not saved; the message says what the checker found."""


@dataclass(frozen=True)
class EntryDraft:
    id: str
    category: str
    title_en: str
    title_zh: str
    questions: dict[str, list[str]]
    answer_en: str
    answer_zh: str
    source_name: str
    source_url: str | None


def _dump(header: dict[str, Any], body: str) -> str:
    front = yaml.safe_dump(header, allow_unicode=True, sort_keys=False, width=100)
    return f"---\n{front}---\n{body}"


class KnowledgeEditor:
    """Writes checked entry files into the knowledge folder."""

    def __init__(self, knowledge: StaffKnowledge, languages: list[str]) -> None:
        self._knowledge = knowledge
        self._languages = languages

    @property
    def folder(self) -> Path:
        return self._knowledge.folder

    def add_question(self, entry_id: str, language: str, question: str) -> Path:
        """Adds ``question`` (in ``language``) to an existing entry's questions."""
        question = " ".join(question.split())
        if not question or len(question) > MAX_QUESTION_CHARS:
            raise KnowledgeEditError(f"a question has 1-{MAX_QUESTION_CHARS} characters")
        entry = self._knowledge.get(entry_id)
        if entry is None or entry.path is None:
            raise KnowledgeEditError(f"there is no valid entry {entry_id!r}")
        text = entry.path.read_text(encoding="utf-8")
        match = _FRONT_MATTER.match(text)
        if match is None or entry.path.suffix != ".md":
            raise KnowledgeEditError(f"{entry.path.name} is not a Markdown entry; edit it by hand")
        header = yaml.safe_load(match.group(1))
        questions = header.setdefault("questions", {}).setdefault(language, [])
        if question not in questions:
            questions.append(question)
        self._write(entry.path, _dump(header, text[match.end() :]))
        return entry.path

    def create_entry(self, draft: EntryDraft, today: date | None = None) -> Path:
        """Writes a new entry ``knowledge/<category>/<id>.md``."""
        if not ID_PATTERN.match(draft.id) or len(draft.id) > 100:
            raise KnowledgeEditError("the id is lower-case words joined by '-', e.g. bank-card")
        if draft.category not in CATEGORIES:
            raise KnowledgeEditError(f"unknown category {draft.category!r}")
        if self._knowledge.get(draft.id) is not None:
            raise KnowledgeEditError(f"the id {draft.id!r} is taken")
        path = self.folder / draft.category / f"{draft.id}.md"
        if path.exists():
            raise KnowledgeEditError(f"{path.name} exists already")
        source: dict[str, str] = {"name": draft.source_name}
        if draft.source_url:
            source["url"] = draft.source_url
        header: dict[str, Any] = {
            "id": draft.id,
            "category": draft.category,
            "title": {"en": draft.title_en, "zh": draft.title_zh},
            "questions": {k: v for k, v in draft.questions.items() if v},
            "source": source,
            "last_verified": (today or date.today()).isoformat(),
        }
        body = f"\n## en\n\n{draft.answer_en.strip()}\n\n## zh\n\n{draft.answer_zh.strip()}\n"
        self._write(path, _dump(header, body))
        return path

    def _write(self, path: Path, text: str) -> None:
        self._check(path, text)
        path.parent.mkdir(parents=True, exist_ok=True)
        # A hidden temporary name: the loader skips it until the rename makes it whole.
        temporary = path.parent / f".{path.name}.saving"
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)

    def _check(self, path: Path, text: str) -> None:
        relative = path.relative_to(self.folder)
        with tempfile.TemporaryDirectory() as scratch:
            root = Path(scratch)
            facts = self.folder / FACTS_FILE_NAME
            if facts.exists():
                shutil.copy(facts, root / FACTS_FILE_NAME)
            target = root / relative
            target.parent.mkdir(parents=True)
            target.write_text(text, encoding="utf-8")
            result = load_knowledge(root, self._languages)
        problems = [*result.problems, *result.expired]
        if problems:
            found = "; ".join(f"line {p.line}: {p.message} (fix: {p.fix})" for p in problems)
            raise KnowledgeEditError(f"the knowledge checker refused it: {found}")
