"""The JSON API: chat, the kiosk's language choice and wipe, the page configuration."""

from __future__ import annotations

import json
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.conversation import ConversationService, IncomingMessage
from bot.language.registry import LanguageRegistry
from bot.settings import Settings, WebSettings
from bot.web.errors import ApiError

CHANNELS = ("web", "kiosk")
_USER = Field(min_length=1, max_length=128, description="the user's or session's id")
_CHANNEL = Field(default="web", pattern="^(web|kiosk)$")

Model = TypeVar("Model", bound=BaseModel)
MessageId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w.:-]+$")]


class ChatRequest(BaseModel):
    """One user message sent to ``/api/chat`` (and, with an ``id``, over ``/ws/chat``)."""

    model_config = ConfigDict(extra="forbid")

    user: str = _USER
    text: str = Field(description="what the user typed or the payload of a pressed button")
    id: MessageId | int | None = Field(
        default=None,
        description="the client's id of this message (a UUID): a repeat gets the same answer",
    )

    @property
    def message_id(self) -> str | None:
        return None if self.id is None else str(self.id)

    language: str | None = Field(default=None, description="the language the user chose")
    channel: str = _CHANNEL


class LanguageRequest(BaseModel):
    """The language a user picked (the kiosk's picker)."""

    model_config = ConfigDict(extra="forbid")

    user: str = _USER
    language: str = Field(min_length=2, max_length=16)
    channel: str = _CHANNEL


class SessionRequest(BaseModel):
    """Names one conversation: the kiosk's wipe, a continuation token."""

    model_config = ConfigDict(extra="forbid")

    user: str = _USER
    channel: str = _CHANNEL


def get_service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.service
    return service


def get_web_settings(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.web_settings
    return settings


def parse_payload(raw: bytes | str, model: type[Model]) -> Model:
    """Decodes and validates a JSON body or frame, with a clear error for each way it can be
    wrong (shared by the HTTP routes and the websocket)."""
    try:
        decoded = raw.decode("utf-8") if isinstance(raw, bytes) else raw
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
        return model.model_validate(payload)
    except ValidationError as error:
        details = [
            {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
            for e in error.errors()
        ]
        raise ApiError(
            422, "invalid_request", "the request does not match the API", details
        ) from error


async def read_body(request: Request, model: type[Model], max_body_bytes: int) -> Model:
    """Reads at most ``max_body_bytes`` of the body and validates it as ``model``."""
    too_large = ApiError(413, "body_too_large", f"the request body is over {max_body_bytes} bytes")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_body_bytes:
            raise too_large
    return parse_payload(bytes(body), model)


def page_config(settings: Settings, registry: LanguageRegistry) -> dict[str, Any]:
    """What the widget and kiosk pages need to know about this installation."""
    return {
        "kiosk_idle_seconds": settings.web.kiosk_idle_seconds,
        "kiosk_idle_warning_seconds": min(
            settings.web.kiosk_idle_warning_seconds, settings.web.kiosk_idle_seconds
        ),
        "max_text_chars": settings.web.max_text_chars,
        "continue_on_phone": settings.telegram.bot_username is not None,
        "languages": [
            {
                "code": language.code,
                "name": language.name,
                "native": language.native,
                "direction": language.direction,
            }
            for language in registry
        ],
    }


def create_api_router() -> APIRouter:
    router = APIRouter()

    @router.post("/api/chat")
    async def chat(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> dict:
        chat_request = await read_body(request, ChatRequest, web.max_body_bytes)
        message = IncomingMessage(
            user_id=chat_request.user,
            channel=chat_request.channel,
            text=chat_request.text,
            language=chat_request.language,
            message_id=chat_request.message_id,
        )
        # Error replies (e.g. Rasa down) are written in the language the user is using.
        request.state.language = service.language_of(message)
        turn = await service.handle(message)
        return {"user": chat_request.user, "id": chat_request.id, **turn.to_dict()}

    @router.post("/api/language")
    async def choose_language(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> dict:
        choice = await read_body(request, LanguageRequest, web.max_body_bytes)
        reply = service.choose_language(choice.user, choice.channel, choice.language)
        language = request.app.state.registry.get(choice.language)
        return {
            "user": choice.user,
            "language": choice.language,
            "direction": language.direction,
            "reply": reply.to_dict(),
        }

    @router.post("/api/forget", status_code=204)
    async def forget(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> Response:
        session = await read_body(request, SessionRequest, web.max_body_bytes)
        service.forget(session.user, session.channel)
        return Response(status_code=204)

    @router.get("/api/config")
    async def config(request: Request) -> dict:
        return page_config(request.app.state.settings, request.app.state.registry)

    @router.get("/api/strings/{language}")
    async def strings(language: str, request: Request) -> dict:
        return request.app.state.strings.all_for(language)

    return router
