"""``/staff/api/ratings``, ``/staff/api/bookings`` and ``/staff/api/knowledge/check``: the
reports staff read in the console, and cancelling a booking for a visitor."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from bot.staff import StaffSession
from bot.staff.knowledge import StaffKnowledge
from bot.storage.bookings import BookingBook
from bot.storage.feedback import RatingLog
from bot.web.errors import ApiError
from bot.web.staff.security import require_change, require_staff, staff_auth

BookingCode = Annotated[str, Path(min_length=4, max_length=16, pattern=r"^[A-Za-z0-9]+$")]


def _book(request: Request) -> BookingBook:
    settings = request.app.state.settings
    return BookingBook(request.app.state.engine, settings.booking.capacity_per_slot)


def create_report_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/staff/api/ratings")
    async def ratings(
        request: Request, _: Annotated[StaffSession, Depends(require_staff)]
    ) -> list[dict[str, Any]]:
        """Ratings per entry, the least helpful first."""
        totals = await asyncio.to_thread(RatingLog(request.app.state.engine).totals)
        ranked = sorted(totals.items(), key=lambda item: (item[1][0] / sum(item[1]), item[0]))
        return [
            {"entry_id": entry_id, "helpful": up, "not_helpful": down}
            for entry_id, (up, down) in ranked
        ]

    @router.get("/staff/api/bookings")
    async def bookings(
        request: Request,
        _: Annotated[StaffSession, Depends(require_staff)],
        day: Annotated[date, Query()],
    ) -> list[dict[str, Any]]:
        found = await asyncio.to_thread(_book(request).on_day, day)
        return [
            {
                "code": b.code,
                "service": b.service,
                "slot": b.slot,
                "status": b.status,
                "language": b.language,
                "channel": b.channel,
            }
            for b in found
        ]

    @router.post("/staff/api/bookings/{code}/cancel")
    async def cancel(
        request: Request,
        code: BookingCode,
        session: Annotated[StaffSession, Depends(require_change)],
    ) -> dict[str, Any]:
        cancelled = await asyncio.to_thread(_book(request).cancel, code)
        if cancelled is None:
            raise ApiError(404, "no_such_booking", "no booked appointment has this code")
        await asyncio.to_thread(
            staff_auth(request).audit.record, session.user.username, "cancel_booking", code
        )
        return {"code": cancelled.code, "status": cancelled.status}

    @router.get("/staff/api/knowledge/check")
    async def check(
        request: Request, _: Annotated[StaffSession, Depends(require_staff)]
    ) -> dict[str, Any]:
        knowledge: StaffKnowledge = request.app.state.staff_knowledge
        return await asyncio.to_thread(knowledge.check)

    return router
