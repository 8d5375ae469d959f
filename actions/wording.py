"""Dates and times written the way English and Chinese readers expect."""

from __future__ import annotations

from datetime import date, datetime

ZH_WEEKDAYS = "一二三四五六日"


def format_date(day: date, language: str) -> str:
    """``Thursday 3 December 2026`` or ``2026年12月3日（星期四）``."""
    if language == "zh":
        return f"{day.year}年{day.month}月{day.day}日（星期{ZH_WEEKDAYS[day.weekday()]}）"
    return f"{day:%A} {day.day} {day:%B %Y}"


def format_moment(moment: datetime, language: str) -> str:
    """A date with its time: ``Monday 23 November 2026 at 9:00``."""
    clock = f"{moment.hour}:{moment.minute:02d}"
    if language == "zh":
        return f"{format_date(moment.date(), language)} {clock}"
    return f"{format_date(moment.date(), language)} at {clock}"
