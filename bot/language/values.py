"""Typed placeholder values of keyed replies, written in the reader's language.

An action that names a catalogue key (``send_reply(..., string=key, params=...)``) sends the
values of the key's ``{placeholders}``. A plain value (a code, a count, a time such as 09:30)
reads the same in every language and is filled in as it is. A value that does not is sent
marked with its type, a one-item mapping, and written here in whichever language the reply is
shown:

* ``{"date": "2026-12-03"}``: an ISO date, written as a full date with its weekday
  (``Thursday 3 December 2026``; other languages through Babel's CLDR data);
* ``{"key": "service_work_permit"}``: another catalogue string (a service name, a purpose),
  with its own values when it has placeholders:
  ``{"key": "booking_next_open", "params": {"date": {"date": "2026-12-07"}}}``;
* ``{"sessions": ["9:00-12:00", "13:30-17:30"]}``: opening hours, joined as a list in the
  language ("9:00-12:00 and 13:30-17:30");
* ``{"lines": [value, ...]}``: values (typically keys with their own params) written one per
  line (the arrival planner's checklist).

English and Chinese keep the hand-written forms the actions have always written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from functools import cache
from typing import Any

DATE = "date"
KEY = "key"
KEY_PARAMS = "params"
SESSIONS = "sessions"
LINES = "lines"

# Reads a catalogue string: ``lookup(key, language, **params)``.
Lookup = Callable[..., str]

ZH_WEEKDAYS = "一二三四五六日"
ZH_SESSION_JOINER = "、"
# Our language codes whose Babel locale is not the code itself.
BABEL_LOCALES = {"zh": "zh_Hans_CN", "pt": "pt_BR", "tl": "fil"}


def date_param(day: date) -> dict[str, str]:
    """A date placeholder value: ``{"date": "2026-12-03"}``."""
    return {DATE: day.isoformat()}


def key_param(key: str, params: Mapping[str, object] | None = None) -> dict[str, object]:
    """A placeholder value that is itself a catalogue key: ``{"key": "service_tax"}``, with
    the values of that key's own placeholders when it has some."""
    value: dict[str, object] = {KEY: key}
    if params:
        value[KEY_PARAMS] = dict(params)
    return value


def sessions_param(sessions: Sequence[tuple[time, time]]) -> dict[str, list[str]]:
    """Opening sessions as a placeholder value: ``{"sessions": ["9:00-12:00", ...]}``."""
    return {SESSIONS: [f"{_clock(start)}-{_clock(end)}" for start, end in sessions]}


def lines_param(values: Sequence[object]) -> dict[str, list[object]]:
    """Values written one per line: ``{"lines": [{"key": ...}, ...]}``."""
    return {LINES: list(values)}


def _clock(moment: time | datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


@cache
def babel_locale(language: str) -> Any:
    """The Babel locale of one of our language codes (``tl`` -> ``fil``)."""
    from babel import Locale

    return Locale.parse(BABEL_LOCALES.get(language, language))


def format_date(day: date, language: str) -> str:
    """``Thursday 3 December 2026``, ``2026年12月3日（星期四）``, or the CLDR full date of
    ``language`` (``четверг, 3 декабря 2026 г.``)."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日（星期{ZH_WEEKDAYS[day.weekday()]}）"
    if language == "en":
        return f"{day:%A} {day.day} {day:%B %Y}"
    from babel.dates import format_date as babel_format_date

    return str(babel_format_date(day, format="full", locale=babel_locale(language)))


def format_sessions(sessions: Sequence[str], language: str) -> str:
    """``9:00-12:00 and 13:30-17:30`` (``、`` between them in Chinese; CLDR list otherwise)."""
    if language == "zh":
        return ZH_SESSION_JOINER.join(sessions)
    if language == "en":
        return " and ".join(sessions)
    from babel.lists import format_list

    return str(format_list(list(sessions), locale=babel_locale(language)))


def render_params(params: Mapping[str, object], language: str, lookup: Lookup) -> dict[str, object]:
    """``params`` with every typed value written in ``language``; ``lookup(key, language,
    **params)`` reads a catalogue string. A malformed typed value is left as it is."""
    return {str(name): render_value(value, language, lookup) for name, value in params.items()}


def render_value(value: object, language: str, lookup: Lookup) -> object:
    if not isinstance(value, Mapping) or not value:
        return value
    if KEY in value and set(value) <= {KEY, KEY_PARAMS}:
        nested = value.get(KEY_PARAMS)
        try:
            if isinstance(nested, Mapping) and nested:
                return lookup(str(value[KEY]), language, **render_params(nested, language, lookup))
            return lookup(str(value[KEY]), language)
        except (KeyError, IndexError, ValueError):
            return value
    if len(value) != 1:
        return value
    kind, raw = next(iter(value.items()))
    try:
        if kind == DATE:
            return format_date(date.fromisoformat(str(raw)), language)
        if kind == SESSIONS and isinstance(raw, list):
            return format_sessions([str(item) for item in raw], language)
        if kind == LINES and isinstance(raw, list):
            return "\n".join(str(render_value(item, language, lookup)) for item in raw)
    except (KeyError, ValueError):
        return value
    return value
