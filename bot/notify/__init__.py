"""Notices between processes: "something for you is in the database", never the thing itself.

The app database stays the source of truth; a notice only wakes whoever should read it now
instead of at its next slow safety poll, so a lost notice delays a delivery but loses nothing.
"""

from bot.notify.notifier import (
    REQUEST_STATUS,
    RESYNC,
    STAFF_REPLY,
    USER_MESSAGE,
    InProcessNotifier,
    Notice,
    Notifier,
    Subscription,
)

__all__ = [
    "REQUEST_STATUS",
    "RESYNC",
    "STAFF_REPLY",
    "USER_MESSAGE",
    "InProcessNotifier",
    "Notice",
    "Notifier",
    "Subscription",
]
