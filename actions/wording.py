"""Dates written the way English and Chinese readers expect. The forms live in
``bot.language.values``, which the gateway also uses to write a reply's typed date values in
the other 30 languages (Babel's CLDR data)."""

from __future__ import annotations

from bot.language.values import format_date

__all__ = ["format_date"]
