"""``/ws/chat``: the chat over a websocket, for the widget and the kiosk.

Frames carry the same JSON as ``POST /api/chat``. The client sends
``{"id": ..., "user": ..., "text": ..., "language"?: ..., "channel": "web"|"kiosk"}``; the server
answers ``{"type": "typing", "id"}`` at once, then ``{"type": "turn", "id", "user", "language",
"replies"}``, or ``{"type": "error", "id", "error": {code, message}, "replies"?}``. A bad frame
(binary, oversized, not JSON, not the API) gets an error frame and the socket stays open.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from bot.conversation import ConversationService, IncomingMessage
from bot.errors import AssistantUnavailableError, InvalidMessageError
from bot.language.strings import StringCatalogue
from bot.settings import WebSettings
from bot.web.api import ChatRequest, parse_payload
from bot.web.errors import ApiError, error_body

log = logging.getLogger(__name__)


class ChatFrame(ChatRequest):
    """A chat message over the websocket; its ``id`` is echoed in the answer's frames."""


def _error_frame(frame_id: Any, code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"type": "error", "id": frame_id, **error_body(code, message, details)}


async def _answer(
    frame: ChatFrame, service: ConversationService, strings: StringCatalogue
) -> dict[str, Any]:
    message = IncomingMessage(
        user_id=frame.user,
        channel=frame.channel,
        text=frame.text,
        language=frame.language,
        message_id=frame.message_id,
    )
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
    return {"type": "turn", "id": frame.id, "user": frame.user, **turn.to_dict()}


async def _serve(websocket: WebSocket) -> None:
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
        try:
            frame = parse_payload(text, ChatFrame)
        except ApiError as error:
            await websocket.send_json(_error_frame(None, error.code, error.message, error.details))
            continue
        await websocket.send_json({"type": "typing", "id": frame.id})
        await websocket.send_json(await _answer(frame, service, strings))


def create_realtime_router() -> APIRouter:
    router = APIRouter()

    @router.websocket("/ws/chat")
    async def chat_socket(websocket: WebSocket) -> None:
        await websocket.accept()
        try:
            await _serve(websocket)
        except WebSocketDisconnect:
            return  # the client went away mid-answer: nothing to clean up

    return router
