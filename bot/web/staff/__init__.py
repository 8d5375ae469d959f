"""The staff console's thin web adapter over :mod:`bot.staff`."""

from bot.web.staff.inbox_routes import create_inbox_router
from bot.web.staff.knowledge_routes import create_knowledge_router
from bot.web.staff.report_routes import create_report_router
from bot.web.staff.routes import PUBLIC_STAFF_PATHS, create_staff_router, install_staff_handlers

__all__ = [
    "PUBLIC_STAFF_PATHS",
    "create_inbox_router",
    "create_knowledge_router",
    "create_report_router",
    "create_staff_router",
    "install_staff_handlers",
]
