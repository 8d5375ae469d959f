"""Messages left outside opening hours: a queue staff work through on the next working day.

A request made while the hall was closed waits for staff; it is to be answered on the first
day the hall opens after it was made (the hall's calendar: working days, sessions, holidays).
Answering it is an ordinary take-and-reply: the reply reaches Telegram at once and the web
page the next time it connects.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from actions.hall import CALENDAR_FILE, CalendarError, HallCalendar
from actions.knowledge.facts import FACTS_FILE_NAME
from bot.staff.inbox import InboxItem

log = logging.getLogger(__name__)


class AfterHours:
    """Which inbox items were left outside opening hours, and when each is to be answered.

    Args:
        calendar: The hall's calendar; None when it could not be read (no answer days then).
    """

    def __init__(self, calendar: HallCalendar | None) -> None:
        self._calendar = calendar

    @classmethod
    def load(cls, knowledge_folder: Path) -> AfterHours:
        """The hall's calendar, its sessions read from the knowledge base's facts file."""
        try:
            calendar = HallCalendar.load(CALENDAR_FILE, knowledge_folder / FACTS_FILE_NAME)
        except (CalendarError, OSError) as error:
            # The inbox still works; only the "to answer on" day is missing.
            log.warning("the hall calendar could not be read (%s); no answer days shown", error)
            calendar = None
        return cls(calendar)

    def answer_on(self, item: InboxItem) -> date | None:
        """The working day a request left outside opening hours is to be answered on."""
        if item.request.during_opening_hours or self._calendar is None:
            return None
        try:
            opening = self._calendar.next_opening(item.request.created_at)
        except CalendarError:
            return None
        return opening.astimezone(self._calendar.timezone).date()

    @staticmethod
    def queue(items: list[InboxItem]) -> list[InboxItem]:
        """The items left outside opening hours, in the inbox's order (oldest first)."""
        return [item for item in items if not item.request.during_opening_hours]
