"""The staff side: accounts, console sign-in, CSRF, audit log and the handoff inbox.

No HTTP here: ``bot.web.staff`` is the thin web adapter over these services.
"""

from bot.staff.accounts import ROLES, StaffAccounts, StaffError, StaffUser
from bot.staff.audit import AuditEntry, StaffAudit
from bot.staff.auth import LoginThrottled, StaffAuth, StaffSession

__all__ = [
    "ROLES",
    "AuditEntry",
    "LoginThrottled",
    "StaffAccounts",
    "StaffAudit",
    "StaffAuth",
    "StaffError",
    "StaffSession",
    "StaffUser",
]
