"""``/staff/api/requests``: the live handoff inbox (list, take, reply, close, live events).

Thin: the rules live in :class:`bot.staff.inbox.HandoffInbox`. A visitor's new messages reach
the console over server-sent events, read from the app database when the inbox announces a
message or status change for the request (or at the safety poll), so the console may be
served by any gateway process.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.notify import REQUEST_STATUS, STAFF_REPLY, USER_MESSAGE, Notice, Notifier
from bot.staff import StaffSession
from bot.staff.after_hours import AfterHours
from bot.staff.inbox import HandoffInbox, InboxError, InboxItem
from bot.staff.knowledge import StaffKnowledge
from bot.staff.transcript import staff_transcript
from bot.web.api import read_body
from bot.web.errors import ApiError
from bot.web.staff.security import require_change, require_staff

RequestId = Annotated[int, Path(ge=1, le=2**31)]


class QuickReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    entry_id: str = Field(min_length=1, max_length=120, pattern=r"^[a-z0-9-]+$")


class ReplyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    language: str = Field(pattern="^(zh|en)$")


def inbox_of(request: Request) -> HandoffInbox:
    inbox: HandoffInbox = request.app.state.inbox
    return inbox


def _summary(item: InboxItem, now: datetime, after_hours: AfterHours) -> dict[str, Any]:
    request = item.request
    answer_on = after_hours.answer_on(item)
    users = [line for line in request.transcript if line.get("role") == "user"]
    last_user: dict[str, Any] = users[-1] if users else {}
    return {
        "id": request.id,
        "created_at": request.created_at.isoformat(),
        "waiting_seconds": max(0, int((now - request.created_at).total_seconds())),
        "language": request.language,
        "channel": request.channel,
        "status": request.status,
        "staff": item.staff,
        "during_opening_hours": request.during_opening_hours,
        "message": request.message,
        "answer_on": answer_on.isoformat() if answer_on else None,
        "preview": str(last_user.get("text", ""))[:200],
    }


def _detail(
    item: InboxItem, inbox: HandoffInbox, now: datetime, after_hours: AfterHours
) -> dict[str, Any]:
    transcript = staff_transcript(item.request, inbox.strings)
    messages = [m.to_dict() for m in inbox.messages(item.request.id)]
    return {**_summary(item, now, after_hours), "transcript": transcript, "messages": messages}


def _item(inbox: HandoffInbox, request_id: int) -> InboxItem:
    item = inbox.get(request_id)
    if item is None:
        raise ApiError(404, "no_such_request", f"there is no request {request_id}")
    return item


def create_inbox_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/staff/api/requests")
    async def requests(
        request: Request,
        _: Annotated[StaffSession, Depends(require_staff)],
        queue: Literal["all", "after_hours"] = "all",
    ) -> list[dict[str, Any]]:
        """Open and taken requests, oldest first; ``after_hours``: only those left outside
        opening hours, each with the day it is to be answered on."""
        after_hours: AfterHours = request.app.state.after_hours
        items = await asyncio.to_thread(inbox_of(request).items)
        if queue == "after_hours":
            items = after_hours.queue(items)
        now = datetime.now(UTC)
        return [_summary(item, now, after_hours) for item in items]

    @router.get("/staff/api/requests/{request_id}")
    async def conversation(
        request: Request,
        request_id: RequestId,
        _: Annotated[StaffSession, Depends(require_staff)],
    ) -> dict[str, Any]:
        inbox = inbox_of(request)
        item = await asyncio.to_thread(_item, inbox, request_id)
        after_hours: AfterHours = request.app.state.after_hours
        return await asyncio.to_thread(_detail, item, inbox, datetime.now(UTC), after_hours)

    @router.get("/staff/api/requests/{request_id}/events")
    async def events(
        request: Request,
        request_id: RequestId,
        _: Annotated[StaffSession, Depends(require_staff)],
        after: Annotated[int, Query(ge=0)] = 0,
    ) -> StreamingResponse:
        inbox = inbox_of(request)
        await asyncio.to_thread(_item, inbox, request_id)
        notifier: Notifier = request.app.state.notifier
        safety_seconds: float = request.app.state.poll_intervals.console

        def about_this(notice: Notice) -> bool:
            return notice.ids.get("request_id") == request_id

        async def stream() -> AsyncIterator[str]:
            last, status = after, None
            # Subscribed before the first read, so nothing written in between is missed.
            with notifier.subscribe(USER_MESSAGE, STAFF_REPLY, REQUEST_STATUS) as notices:
                while not await request.is_disconnected():
                    for message in await asyncio.to_thread(inbox.messages, request_id, last):
                        last = message.id
                        yield f"event: message\ndata: {json.dumps(message.to_dict())}\n\n"
                    item = await asyncio.to_thread(inbox.get, request_id)
                    current = item.request.status if item else "gone"
                    if current != status:
                        status = current
                        yield f"event: status\ndata: {json.dumps({'status': status})}\n\n"
                    await notices.next(safety_seconds, about_this)

        return StreamingResponse(
            stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    @router.post("/staff/api/requests/{request_id}/take")
    async def take(
        request: Request,
        request_id: RequestId,
        session: Annotated[StaffSession, Depends(require_change)],
    ) -> dict[str, Any]:
        inbox = inbox_of(request)
        await asyncio.to_thread(_item, inbox, request_id)
        if not await asyncio.to_thread(inbox.take, request_id, session.user.username):
            raise ApiError(409, "already_taken", "another member of staff took this request")
        return {"id": request_id, "status": "taken", "staff": session.user.username}

    @router.post("/staff/api/requests/{request_id}/reply")
    async def reply(
        request: Request,
        request_id: RequestId,
        session: Annotated[StaffSession, Depends(require_change)],
    ) -> dict[str, Any]:
        body = await read_body(request, ReplyRequest, 16 * 1024)
        inbox = inbox_of(request)
        try:
            message = await inbox.reply(request_id, session.user.username, body.text, body.language)
        except InboxError as error:
            raise ApiError(409, error.code, str(error)) from error
        return message.to_dict()  # announced: the gateway holding the socket sends it

    @router.post("/staff/api/requests/{request_id}/quick-reply")
    async def quick_reply(
        request: Request,
        request_id: RequestId,
        session: Annotated[StaffSession, Depends(require_change)],
    ) -> dict[str, Any]:
        body = await read_body(request, QuickReplyRequest, 4096)
        knowledge: StaffKnowledge = request.app.state.staff_knowledge
        entry = await asyncio.to_thread(knowledge.get, body.entry_id)
        if entry is None:
            raise ApiError(404, "no_such_entry", f"there is no knowledge entry {body.entry_id}")
        inbox = inbox_of(request)
        try:
            message = await inbox.send_entry(
                request_id, session.user.username, entry.id, dict(entry.answers)
            )
        except InboxError as error:
            raise ApiError(409, error.code, str(error)) from error
        return message.to_dict()

    @router.get("/staff/api/knowledge")
    async def search_knowledge(
        request: Request,
        _: Annotated[StaffSession, Depends(require_staff)],
        q: Annotated[str, Query(min_length=1, max_length=200)],
    ) -> list[dict[str, Any]]:
        knowledge: StaffKnowledge = request.app.state.staff_knowledge
        hits = await asyncio.to_thread(knowledge.search, q)
        return [
            {
                "id": hit.id,
                "title": {code: hit.title.get(code) for code in ("en", "zh")},
                "answer": {code: hit.answers.get(code, "")[:300] for code in ("en", "zh")},
            }
            for hit in hits
        ]

    @router.post("/staff/api/requests/{request_id}/close")
    async def close(
        request: Request,
        request_id: RequestId,
        session: Annotated[StaffSession, Depends(require_change)],
    ) -> dict[str, Any]:
        inbox = inbox_of(request)
        item = await asyncio.to_thread(_item, inbox, request_id)
        if item.staff != session.user.username and not session.user.is_admin:
            raise ApiError(409, "not_yours", "only the member of staff who took it can close it")
        if not await asyncio.to_thread(inbox.close, request_id, session.user.username):
            raise ApiError(409, "not_taken", "the request is not taken")
        return {"id": request_id, "status": "closed"}

    return router
