"""``/ws/chat``: the chat over a websocket, for the widget and the kiosk.

Frames carry the same JSON as ``POST /api/chat``. The client sends
``{"id": ..., "session": ..., "text": ..., "language"?: ...}``; the server answers
``{"type": "typing", "id"}`` at once, then ``{"type": "turn", "id", "language", "replies"}``, or
``{"type": "error", "id", "error": {code, message}, "replies"?, "retry_after"?}``. A page sends
``{"type": "hello", "session"}`` when its socket opens; from then on (and after any chat frame)
staff replies of a handed-over conversation arrive as
``{"type": "staff", "message_id", "language", "replies"}``, including those that waited. A bad frame
(binary, oversized, not JSON, not the API, no valid session, too many messages) gets an error
frame and the socket stays open. A page from a foreign Origin, or an address over its cap of
open sockets, is refused before the socket opens (close code 1008).
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field

from bot.conversation import ConversationService
from bot.delivery import LiveConnections, deliver_pending
from bot.errors import AssistantUnavailableError, InvalidMessageError
from bot.language.strings import StringCatalogue
from bot.sessions import Session
from bot.settings import WebSettings
from bot.staff.inbox import HandoffInbox
from bot.web.abuse import RateLimits, SocketCounter, origin_allowed
from bot.web.api import ChatRequest, parse_payload, rate_limited, session_of
from bot.web.errors import ApiError, error_body

log = logging.getLogger(__name__)


class ChatFrame(ChatRequest):
    """A chat message over the websocket; its ``id`` is echoed in the answer's frames."""


class HelloFrame(BaseModel):
    """Sent by a page when its socket opens: staff replies that waited are delivered then."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["hello"]
    session: str = Field(min_length=1, max_length=200)


def _is_hello(text: str) -> bool:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        return False
    return isinstance(payload, dict) and payload.get("type") == "hello"


def _error_frame(frame_id: Any, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"type": "error", "id": frame_id, **error_body(code, message, details)}


async def _answer(
    frame: ChatFrame, session: Session, service: ConversationService, strings: StringCatalogue
) -> dict[str, Any]:
    message = session.message(frame.text, frame.language, message_id=frame.message_id)
    try:
        turn = await service.handle(message)
    except InvalidMessageError as error:
        return _error_frame(frame.id, error.code, str(error))
    except AssistantUnavailableError as error:
        log.warning("assistant unavailable: %s", error)
        language = service.language_of(message)
        text = strings.get("service_unavailable", language)
        answer = _error_frame(frame.id, "assistant_unavailable", text)
        answer["error"]["retryable"] = True  # send it again with the same id
        answer["replies"] = [{"text": text, "language": language, "kind": "error"}]
        return answer
    except Exception:  # the socket's boundary: one bad turn must not end the connection
        log.exception("unexpected error answering over the websocket")
        language = service.language_of(message)
        text = strings.get("error_generic", language)
        answer = _error_frame(frame.id, "internal_error", "something went wrong on our side")
        answer["replies"] = [{"text": text, "language": language, "kind": "error"}]
        return answer
    return {"type": "turn", "id": frame.id, **turn.to_dict()}


async def _admit(frame: ChatFrame, websocket: WebSocket, address: str) -> Session:
    """The frame's session, counted against the rate limits.

    Raises:
        ApiError: no valid session (401) or too many messages (429).
    """
    session = await session_of(websocket, frame.session)  # type: ignore[arg-type]
    service: ConversationService = websocket.app.state.service
    limits: RateLimits = websocket.app.state.rate_limits
    refusal = await limits.hit(session.id, address)
    if refusal is not None:
        language = service.language_of(session.message(frame.text, frame.language))
        raise rate_limited(websocket.app.state.strings, language, refusal.retry_after)
    return session


class _Listener:
    """This socket's place in the live registry, under each conversation it spoke for."""

    def __init__(self, websocket: WebSocket) -> None:
        self.live: LiveConnections = websocket.app.state.live
        self.inbox: HandoffInbox = websocket.app.state.inbox
        self.send = websocket.send_json
        self.senders: set[str] = set()

    async def listen(self, session: Session) -> None:
        sender_id = session.conversation_id
        if sender_id not in self.senders:
            self.senders.add(sender_id)
            self.live.add(sender_id, self.send)
        await deliver_pending(self.inbox, self.live, sender_id)

    def close(self) -> None:
        for sender_id in self.senders:
            self.live.remove(sender_id, self.send)


async def _serve(websocket: WebSocket, address: str, listener: _Listener) -> None:
    service: ConversationService = websocket.app.state.service
    strings: StringCatalogue = websocket.app.state.strings
    web: WebSettings = websocket.app.state.web_settings
    while True:
        received = await websocket.receive()
        if received["type"] == "websocket.disconnect":
            return
        text = received.get("text")
        if text is None:
            await websocket.send_json(
                _error_frame(None, "binary_frame", "send JSON text frames, not binary data")
            )
            continue
        if len(text.encode("utf-8")) > web.max_body_bytes:
            await websocket.send_json(
                _error_frame(None, "frame_too_large", f"a frame may be {web.max_body_bytes} bytes")
            )
            continue
        if _is_hello(text):
            # A hello costs a database read: it counts against the address's limit.
            limits: RateLimits = websocket.app.state.rate_limits
            if await limits.hit_address(address) is not None:
                await websocket.send_json(_error_frame(None, "rate_limited", "too many frames"))
                continue
            try:
                hello = parse_payload(text, HelloFrame)
                session = await session_of(websocket, hello.session)  # type: ignore[arg-type]
            except ApiError as error:
                await websocket.send_json(_error_frame(None, error.code, error.message))
                continue
            await websocket.send_json({"type": "hello"})
            await listener.listen(session)
            continue
        try:
            frame = parse_payload(text, ChatFrame)
        except ApiError as error:
            await websocket.send_json(_error_frame(None, error.code, error.message, error.details))
            continue
        try:
            session = await _admit(frame, websocket, address)
        except ApiError as error:
            answer = _error_frame(frame.id, error.code, error.message)
            if error.replies is not None:
                answer["replies"] = error.replies
                answer["retry_after"] = int((error.headers or {}).get("Retry-After", "1"))
            await websocket.send_json(answer)
            continue
        await websocket.send_json({"type": "typing", "id": frame.id})
        await websocket.send_json(await _answer(frame, session, service, strings))
        await listener.listen(session)


def create_realtime_router() -> APIRouter:
    router = APIRouter()

    @router.websocket("/ws/chat")
    async def chat_socket(websocket: WebSocket) -> None:
        web: WebSettings = websocket.app.state.web_settings
        if not origin_allowed(
            websocket.headers.get("origin"), websocket.headers.get("host"), web.widget_origins
        ):
            await websocket.close(code=1008, reason="origin not allowed")
            return
        address = websocket.client.host if websocket.client else "unknown"
        sockets: SocketCounter = websocket.app.state.sockets
        if not sockets.try_open(address):
            await websocket.close(code=1008, reason="too many open connections")
            return
        listener = _Listener(websocket)
        try:
            await websocket.accept()
            await _serve(websocket, address, listener)
        except WebSocketDisconnect:
            return  # the client went away mid-answer: nothing to clean up
        finally:
            listener.close()
            sockets.close(address)

    return router
