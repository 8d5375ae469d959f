"""The JSON chat API: ``POST /api/chat``."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.conversation import ConversationService, IncomingMessage
from bot.settings import WebSettings
from bot.web.errors import ApiError

CHANNELS = ("web", "kiosk")


class ChatRequest(BaseModel):
    """One user message sent to ``/api/chat``."""

    model_config = ConfigDict(extra="forbid")

    user: str = Field(min_length=1, max_length=128, description="the user's or session's id")
    text: str = Field(description="what the user typed or the payload of a pressed button")
    language: str | None = Field(default=None, description="the language the user chose")
    channel: str = Field(default="web", pattern="^(web|kiosk)$")


def get_service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.service
    return service


def get_web_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.web_settings
    return settings


async def read_chat_request(request: Request, max_body_bytes: int) -> ChatRequest:
    """Reads and validates the body, with a clear error for each way it can be wrong."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise ApiError(413, "body_too_large", f"the request body is over {max_body_bytes} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_body_bytes:
            raise ApiError(
                413, "body_too_large", f"the request body is over {max_body_bytes} bytes"
            )
    try:
        decoded = bytes(body).decode("utf-8")
    except UnicodeDecodeError as error:
        raise ApiError(
            400, "invalid_encoding", f"the body is not UTF-8 text ({error.reason})"
        ) from error
    try:
        payload = json.loads(decoded)
    except json.JSONDecodeError as error:
        raise ApiError(400, "invalid_json", f"the body is not valid JSON: {error}") from error
    if not isinstance(payload, dict):
        raise ApiError(422, "invalid_request", "the body must be a JSON object")
    try:
        return ChatRequest.model_validate(payload)
    except ValidationError as error:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in error.errors()
        ]
        raise ApiError(
            422, "invalid_request", "the request does not match the API", details
        ) from error


def create_api_router() -> APIRouter:
    router = APIRouter()

    @router.post("/api/chat")
    async def chat(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> dict:
        chat_request = await read_chat_request(request, web.max_body_bytes)
        message = IncomingMessage(
            user_id=chat_request.user,
            channel=chat_request.channel,
            text=chat_request.text,
            language=chat_request.language,
        )
        # Error replies (e.g. Rasa down) are written in the language the user is using.
        request.state.language = service.language_of(message)
        turn = await service.handle(message)
        return {"user": chat_request.user, **turn.to_dict()}

    @router.get("/api/strings/{language}")
    async def strings(language: str, request: Request) -> dict:
        return request.app.state.strings.all_for(language)

    return router
