"""A knowledge entry as staff write it (see ``knowledge/README.md``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REQUIRED_LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class Source:
    """Where a rule is stated: an organisation's name and the page that states it."""

    name: str
    url: str | None = None


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
        sources: The official sources, the one that states the main rule first.
        last_verified: When staff last checked it against its sources.
        tags: Extra search words.
        office: Where to go, if anywhere.
        path: The file it was read from.
        valid_until: The last day a time-limited policy applies, if it has one.
        review_by: The day by which staff should check it again, if set.
    """

    id: str
    category: str
    title: dict[str, str]
    questions: dict[str, list[str]]
    answers: dict[str, str]
    sources: tuple[Source, ...]
    last_verified: date
    tags: tuple[str, ...] = ()
    office: Office | None = None
    path: Path | None = None
    valid_until: date | None = None
    review_by: date | None = None

    @property
    def source_name(self) -> str:
        """The main (first) source's name."""
        return self.sources[0].name

    @property
    def source_url(self) -> str | None:
        """The main source's URL (of the same organisation as its name)."""
        return self.sources[0].url

    def is_expired(self, today: date) -> bool:
        """True once the day after ``valid_until`` has come."""
        return self.valid_until is not None and today > self.valid_until

    def is_due_for_review(self, today: date) -> bool:
        """True once ``review_by`` has come."""
        return self.review_by is not None and today >= self.review_by

    def answer_in(self, language: str) -> tuple[str, str]:
        """The answer in ``language`` if the entry has it, else English: (text, language)."""
        if language in self.answers:
            return self.answers[language], language
        return self.answers["en"], "en"

    def title_in(self, language: str) -> str:
        return self.title.get(language) or self.title["en"]
