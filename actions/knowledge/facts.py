"""Facts repeated across entries, kept once in ``knowledge/facts.yml``.

Entries name a fact as ``{{name}}`` (the hall's hours, a hotline, a fee, a deadline) and the
loader writes its value in, so a fact changes in one place and every entry and the booking
calendar follow. A fact may list ``literal`` patterns: the same fact written out by hand, which
the knowledge tests refuse in answers and office fields (see :func:`literal_uses`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from typing import Any

import yaml

FACTS_FILE_NAME = "facts.yml"
PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9_]+)\s*\}\}")
# How the hall's sessions are joined into the ``hall_hours`` text, per language.
_SESSION_JOINERS = {"en": " and ", "zh": "、"}


class FactsError(ValueError):
    """``facts.yml`` is malformed; the message says where and how to fix it."""


@dataclass(frozen=True)
class Fact:
    """One named fact.

    Attributes:
        name: What entries write between ``{{`` and ``}}``.
        values: The text per language (``en`` always; others fall back to it).
        literal: Regular expressions matching the fact written out by hand.
    """

    name: str
    values: dict[str, str]
    literal: tuple[re.Pattern[str], ...] = ()

    def value_in(self, language: str) -> str:
        return self.values.get(language) or self.values["en"]


@dataclass(frozen=True)
class Facts:
    """Every named fact, and the hall's opening sessions they describe.

    Attributes:
        facts: The facts by name.
        hall_sessions: The hall's ``(start, end)`` sessions of a working day (Monday to Friday).
        path: The file they were read from.
    """

    facts: dict[str, Fact] = field(default_factory=dict)
    hall_sessions: tuple[tuple[time, time], ...] = ()
    path: Path | None = None

    @classmethod
    def load(cls, path: Path) -> Facts:
        """Reads ``facts.yml``.

        Raises:
            FactsError: The file is missing, not YAML, or a fact is malformed.
        """
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise FactsError(f"{path}: cannot read the facts file: {error}") from error
        if not isinstance(raw, dict) or not isinstance(raw.get("facts"), dict):
            raise FactsError(f"{path}: write 'hall:' and 'facts:' as in the file's comments")
        sessions = _sessions(raw.get("hall"), path)
        facts = {str(name): _fact(str(name), value, path) for name, value in raw["facts"].items()}
        hours = facts.get("hall_hours")
        if hours is not None:  # the hours text is built from the sessions, never typed twice
            facts["hall_hours"] = Fact(
                "hall_hours",
                {
                    code: text.replace("{sessions}", session_text(sessions, code))
                    for code, text in hours.values.items()
                },
                hours.literal,
            )
        return cls(facts, sessions, path)

    def expand(self, text: str, language: str) -> str:
        """``text`` with every ``{{name}}`` replaced by the fact in ``language``.

        Raises:
            KeyError: A placeholder names no fact (the message is the unknown name).
        """

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in self.facts:
                raise KeyError(name)
            return self.facts[name].value_in(language)

        return PLACEHOLDER.sub(value, text)


def literal_uses(text: str, facts: Facts) -> list[tuple[str, str]]:
    """Where ``text`` writes a fact out by hand instead of naming it: ``(fact, match)`` pairs.

    The rule the knowledge tests apply: once the ``{{placeholders}}`` are taken out, no
    ``literal`` pattern of any fact may match an entry's answers or office fields.
    """
    bare = PLACEHOLDER.sub(" ", text)
    return [
        (fact.name, match.group(0))
        for fact in facts.facts.values()
        for pattern in fact.literal
        for match in pattern.finditer(bare)
    ]


def session_text(sessions: tuple[tuple[time, time], ...], language: str) -> str:
    """The sessions as ``9:00-12:00 and 13:30-17:30`` (``、`` between them in Chinese)."""
    joiner = _SESSION_JOINERS.get(language, _SESSION_JOINERS["en"])
    return joiner.join(
        f"{start.hour}:{start.minute:02d}-{end.hour}:{end.minute:02d}" for start, end in sessions
    )


def _sessions(raw: Any, path: Path) -> tuple[tuple[time, time], ...]:
    try:
        pairs = raw["sessions"]
        sessions = tuple((_time(start), _time(end)) for start, end in pairs)
    except (KeyError, TypeError, ValueError) as error:
        raise FactsError(
            f'{path}: \'hall: sessions:\' must list ["HH:MM", "HH:MM"] pairs ({error})'
        ) from error
    if not sessions or any(end <= start for start, end in sessions):
        raise FactsError(f"{path}: every hall session must end after it starts")
    return sessions


def _time(text: object) -> time:
    hours, minutes = str(text).split(":")
    return time(int(hours), int(minutes))


def _fact(name: str, raw: Any, path: Path) -> Fact:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise FactsError(f"{path}: fact name {name!r} must be lowercase_with_underscores")
    if isinstance(raw, str | int):
        return Fact(name, {"en": str(raw)})
    if not isinstance(raw, dict):
        raise FactsError(f"{path}: fact {name!r} must be a text or en:/zh:/literal: lines")
    values = {str(k): str(v) for k, v in raw.items() if k != "literal"}
    if not values.get("en"):
        raise FactsError(f"{path}: fact {name!r} has no 'en:' value")
    try:
        literal = tuple(re.compile(str(pattern)) for pattern in raw.get("literal") or ())
    except re.error as error:
        raise FactsError(f"{path}: fact {name!r} has a bad literal pattern: {error}") from error
    return Fact(name, values, literal)
