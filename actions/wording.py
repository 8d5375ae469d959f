"""Dates and times written the way English and Chinese readers expect (the forms live in
``bot.language.values``, which the gateway uses too for the other languages)."""

from __future__ import annotations

from datetime import datetime

from bot.language.values import format_date

__all__ = ["format_date", "format_moment"]


def format_moment(moment: datetime, language: str) -> str:
    """A date with its time: ``Monday 23 November 2026 at 9:00``."""
    clock = f"{moment.hour}:{moment.minute:02d}"
    if language == "zh":
        return f"{format_date(moment.date(), language)} {clock}"
    return f"{format_date(moment.date(), language)} at {clock}"
