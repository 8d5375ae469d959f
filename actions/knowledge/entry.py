"""A knowledge entry as staff write it (see ``knowledge/README.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REQUIRED_LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Office:
    name: dict[str, str] = field(default_factory=dict)
    address: dict[str, str] = field(default_factory=dict)
    hours: dict[str, str] = field(default_factory=dict)
    phone: str | None = None

    def as_dict(self, language: str) -> dict[str, str]:
        """The office in ``language`` (English where it is missing), with the Chinese name and
        address kept for the printable card."""
        result = {
            key: values.get(language) or values.get("en", "")
            for key, values in (
                ("name", self.name),
                ("address", self.address),
                ("hours", self.hours),
            )
            if values
        }
        if self.name.get("zh"):
            result["name_zh"] = self.name["zh"]
        if self.address.get("zh"):
            result["address_zh"] = self.address["zh"]
        if self.phone:
            result["phone"] = self.phone
        return result


@dataclass(frozen=True)
class KnowledgeEntry:
    """One question-and-answer entry.

    Attributes:
        id: Stable unique name (also the file name).
        category: The folder it lives in.
        title: Short title per language.
        questions: Ways people ask it, per language.
        answers: The answer per language (``en`` and ``zh`` always; others optional).
        source_name: The official source or office.
        source_url: Its URL, if any.
        last_verified: When staff last checked it.
        tags: Extra search words.
        office: Where to go, if anywhere.
        path: The file it was read from.
    """

    id: str
    category: str
    title: dict[str, str]
    questions: dict[str, list[str]]
    answers: dict[str, str]
    source_name: str
    source_url: str | None
    last_verified: date
    tags: tuple[str, ...] = ()
    office: Office | None = None
    path: Path | None = None

    def answer_in(self, language: str) -> tuple[str, str]:
        """The answer in ``language`` if the entry has it, else English: (text, language)."""
        if language in self.answers:
            return self.answers[language], language
        return self.answers["en"], "en"

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]
