"""The service hall's calendar: when it is open, its booking slots, when staff are next back.

The opening sessions come from ``knowledge/facts.yml`` (the one place the hall's hours are
written, shared with the knowledge entries); the public holidays from
``actions/data/hall_calendar.yml`` (staff keep the list up to date). Every function takes the
time it reasons about, so callers inject their clock and tests are exact.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from actions.knowledge.facts import FACTS_FILE_NAME, Facts, FactsError, session_text

CALENDAR_FILE = Path(__file__).parent / "data" / "hall_calendar.yml"
FACTS_FILE = Path(__file__).parents[1] / "knowledge" / FACTS_FILE_NAME

# A clock returns the current time, timezone-aware. Actions take one so tests fix "now".
Clock = Callable[[], datetime]


class CalendarError(ValueError):
    """The hall calendar file is malformed; the message says where."""


def _days(item: object) -> list[date]:
    text = str(item)
    if ".." not in text:
        return [date.fromisoformat(text)]
    first, last = (date.fromisoformat(part) for part in text.split(".."))
    if last < first:
        raise CalendarError(f"{CALENDAR_FILE.name}: holiday range {text} ends before it starts")
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True)
class HallCalendar:
    """Opening sessions (Monday to Friday) and closed days of the hall.

    Attributes:
        timezone: The hall's time zone.
        sessions: ``(start, end)`` opening sessions of a working day.
        holidays: Public holidays (closed).
        slot_minutes: Length of a booking slot.
        covered_years: Years whose holidays the file lists.
    """

    timezone: ZoneInfo
    sessions: tuple[tuple[time, time], ...]
    holidays: frozenset[date]
    slot_minutes: int
    covered_years: frozenset[int]

    @classmethod
    def load(cls, path: Path = CALENDAR_FILE, facts_path: Path = FACTS_FILE) -> HallCalendar:
        """Reads the calendar file and the hall's sessions from the facts file.

        Raises:
            CalendarError: A file is missing a key or has a bad date or time.
        """
        try:
            sessions = Facts.load(facts_path).hall_sessions
        except FactsError as error:
            raise CalendarError(str(error)) from error
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            holidays = {
                day for items in raw["holidays"].values() for item in items for day in _days(item)
            }
            return cls(
                timezone=ZoneInfo(raw["timezone"]),
                sessions=sessions,
                holidays=frozenset(holidays),
                slot_minutes=int(raw["slot_minutes"]),
                covered_years=frozenset(int(year) for year in raw["holidays"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise CalendarError(f"{path}: {error}; see the comments in that file") from error

    def now(self) -> datetime:
        """The current time in the hall's time zone (the production clock)."""
        return datetime.now(self.timezone)

    def hours_text(self, language: str) -> str:
        """The opening sessions as text, e.g. ``9:00-12:00 and 13:30-17:30``."""
        return session_text(self.sessions, language)

    def is_holiday(self, day: date) -> bool:
        return day in self.holidays

    def is_open_day(self, day: date) -> bool:
        """True on Monday to Friday unless a public holiday."""
        return day.weekday() < 5 and day not in self.holidays

    def closed_reason(self, day: date) -> str | None:
        """``weekend``, ``holiday`` or None when the hall is open that day."""
        if day in self.holidays:
            return "holiday"
        if day.weekday() >= 5:
            return "weekend"
        return None

    def is_open_at(self, moment: datetime) -> bool:
        local = moment.astimezone(self.timezone)
        if not self.is_open_day(local.date()):
            return False
        return any(start <= local.time() < end for start, end in self.sessions)

    def next_opening(self, moment: datetime) -> datetime:
        """The next time the hall opens after ``moment`` (``moment`` itself is not open)."""
        local = moment.astimezone(self.timezone)
        day = local.date()
        for _ in range(60):  # the longest closure (Spring Festival) is about 10 days
            if self.is_open_day(day):
                for start, _end in self.sessions:
                    opening = datetime.combine(day, start, tzinfo=self.timezone)
                    if opening > local:
                        return opening
            day += timedelta(days=1)
        raise CalendarError("no opening day in the next 60 days: check the holiday list")

    def slots(self, day: date) -> list[str]:
        """Start times (``HH:MM``) of the booking slots of ``day``; empty when closed."""
        if not self.is_open_day(day):
            return []
        starts: list[str] = []
        step = timedelta(minutes=self.slot_minutes)
        for start, end in self.sessions:
            cursor = datetime.combine(day, start)
            last = datetime.combine(day, end) - step
            while cursor <= last:
                starts.append(cursor.strftime("%H:%M"))
                cursor += step
        return starts
