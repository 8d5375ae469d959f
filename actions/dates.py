"""Dates as people write them, in English and Chinese (Duckling is not available here).

``parse_date(text, today)`` understands ISO dates (2026-12-03, 2026/12/3), day and month names
(3 Dec, December 3rd 2026), numeric day/month (12/3: ambiguous unless one part is over 12),
relative words (today, tomorrow, the day after tomorrow, in 3 days, next Monday) and Chinese
(今天, 明天, 后天, 大后天, 下周一, 周三, 12月3日, 2026年12月3日, 3号). A date without a year takes
the year that fits ``prefer``: the next such date for bookings, the nearest for an entry date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Preference = Literal["future", "nearest"]

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue", "tues"),
            ("wednesday", "wed"),
            ("thursday", "thu", "thur", "thurs"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
CHINESE_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
RELATIVE_DAYS = {
    "today": 0,
    "tomorrow": 1,
    "day after tomorrow": 2,
    "the day after tomorrow": 2,
    "yesterday": -1,
    "今天": 0,
    "今日": 0,
    "明天": 1,
    "明日": 1,
    "后天": 2,
    "大后天": 3,
    "昨天": -1,
    "前天": -2,
}

_MONTH_NAME = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_NAME = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s*(\d{4}))?"
ISO = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
DAY_MONTH = re.compile(rf"\b{_ORDINAL}\s*(?:of\s+)?({_MONTH_NAME})\.?{_YEAR}\b")
MONTH_DAY = re.compile(rf"\b({_MONTH_NAME})\.?\s+{_ORDINAL}{_YEAR}\b")
NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?\b")
IN_DAYS = re.compile(r"\bin\s+(\d{1,3})\s+(day|days|week|weeks)\b")
WEEKDAY = re.compile(rf"\b(next|this|coming)?\s*({_WEEKDAY_NAME})\b")
_ZH_NUMBER = r"([0-9]{1,4}|[零一二两三四五六七八九十]{1,3})"
ZH_FULL = re.compile(rf"(?:{_ZH_NUMBER}年)?{_ZH_NUMBER}月{_ZH_NUMBER}[日号]?")
ZH_DAY_ONLY = re.compile(rf"(?<![月\d]){_ZH_NUMBER}[日号]")
ZH_WEEKDAY = re.compile(r"(下下|下|这|本)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天])")
ZH_IN_DAYS = re.compile(rf"{_ZH_NUMBER}(天|周|个星期)[以之]?后")


@dataclass(frozen=True)
class AmbiguousDate:
    """A numeric date like 12/3 that reads as two dates; ask which one is meant.

    Attributes:
        options: The day-first and the month-first reading.
    """

    options: tuple[date, date]


def chinese_number(text: str) -> int:
    """0-99 written in digits or in Chinese numerals ("两", "十二", "三十一").

    Raises:
        ValueError, KeyError: not such a number.
    """
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CHINESE_DIGITS[text[1]]
    if len(text) == 3 and text[1] == "十":
        return CHINESE_DIGITS[text[0]] * 10 + CHINESE_DIGITS[text[2]]
    if len(text) == 2 and text[1] == "十":
        return CHINESE_DIGITS[text[0]] * 10
    if len(text) == 1:
        return CHINESE_DIGITS[text]
    raise ValueError(text)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _with_year(month: int, day: int, today: date, prefer: Preference) -> date | None:
    """The date ``month``/``day`` in the year that fits ``prefer``."""
    candidates = [
        found
        for year in (today.year - 1, today.year, today.year + 1)
        if (found := _make(year, month, day)) is not None
    ]
    if not candidates:
        return None
    if prefer == "future":
        upcoming = [found for found in candidates if found >= today]
        return min(upcoming) if upcoming else None
    return min(candidates, key=lambda found: abs((found - today).days))


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _next_weekday(today: date, weekday: int, skip_week: bool) -> date:
    """The next ``weekday`` after today; ``skip_week`` means "next Monday" = in the next week."""
    if skip_week:
        monday_next_week = today + timedelta(days=7 - today.weekday())
        return monday_next_week + timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead or 7)


def parse_date(
    text: str, today: date, prefer: Preference = "future"
) -> date | AmbiguousDate | None:
    """The date ``text`` means, an :class:`AmbiguousDate`, or None when it has no date.

    Args:
        text: What the user wrote.
        today: Today in the hall's time zone.
        prefer: ``future`` picks the next occurrence of a date without a year, ``nearest`` the
            closest one (an arrival date may be in the past).
    """
    lowered = " ".join(text.lower().split())
    if match := ISO.search(lowered):
        return _make(*(int(part) for part in match.groups()))
    if match := ZH_FULL.search(lowered):
        year_text, month_text, day_text = match.groups()
        month, day = chinese_number(month_text), chinese_number(day_text)
        if year_text:
            return _make(_full_year(str(chinese_number(year_text))), month, day)
        return _with_year(month, day, today, prefer)
    for pattern, day_group, month_group in ((DAY_MONTH, 1, 2), (MONTH_DAY, 2, 1)):
        if match := pattern.search(lowered):
            day, month = int(match.group(day_group)), MONTHS[match.group(month_group)]
            if match.group(3):
                return _make(int(match.group(3)), month, day)
            return _with_year(month, day, today, prefer)
    if match := NUMERIC.search(lowered):
        return _numeric(match, today, prefer)
    for phrase, offset in sorted(RELATIVE_DAYS.items(), key=lambda item: -len(item[0])):
        if re.search(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", lowered):
            return today + timedelta(days=offset)
    if match := IN_DAYS.search(lowered):
        amount = int(match.group(1)) * (7 if match.group(2).startswith("week") else 1)
        return today + timedelta(days=amount)
    if match := ZH_IN_DAYS.search(lowered):
        amount = chinese_number(match.group(1)) * (1 if match.group(2) == "天" else 7)
        return today + timedelta(days=amount)
    if match := ZH_WEEKDAY.search(lowered):
        modifier, weekday = match.group(1), CHINESE_WEEKDAYS[match.group(2)]
        if modifier == "下下":
            return _next_weekday(today, weekday, skip_week=True) + timedelta(days=7)
        if modifier == "下":
            return _next_weekday(today, weekday, skip_week=True)
        if modifier in ("这", "本"):
            return today + timedelta(days=weekday - today.weekday())
        return _next_weekday(today, weekday, skip_week=False)
    if match := WEEKDAY.search(lowered):
        return _next_weekday(today, WEEKDAYS[match.group(2)], skip_week=match.group(1) == "next")
    if match := ZH_DAY_ONLY.search(lowered):
        day = chinese_number(match.group(1))
        found = _make(today.year, today.month, day)
        if found is not None and found < today and prefer == "future":
            next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
            found = _make(next_month.year, next_month.month, day)
        return found
    return None


def _numeric(match: re.Match[str], today: date, prefer: Preference) -> date | AmbiguousDate | None:
    first, second = int(match.group(1)), int(match.group(2))
    year = _full_year(match.group(3)) if match.group(3) else None

    def build(month: int, day: int) -> date | None:
        if year is not None:
            return _make(year, month, day)
        return _with_year(month, day, today, prefer)

    day_first, month_first = build(second, first), build(first, second)
    if first == second or day_first is None or month_first is None:
        return day_first or month_first
    return AmbiguousDate((day_first, month_first))
