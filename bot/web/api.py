"""The JSON API: chat, the kiosk's language choice and wipe, the page configuration."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from bot.conversation import ConversationService
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.privacy.erasure import ConversationEraser
from bot.sessions import Session, SessionError, Sessions
from bot.settings import Settings, WebSettings
from bot.web.abuse import RateLimits
from bot.web.errors import ApiError
from bot.web.schema import LanguageChosen, TurnResponse, error_responses, request_body

_SESSION = Field(min_length=1, max_length=200, description="the token POST /api/session returned")

Model = TypeVar("Model", bound=BaseModel)
MessageId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\w.:-]+$")]


class SessionCreateRequest(BaseModel):
    """Asks for a new session (a personal device keeps it; the kiosk gets one per visitor)."""

    model_config = ConfigDict(extra="forbid")

    channel: Literal["web", "kiosk"] = "web"


class SessionCreated(BaseModel):
    session: str = Field(description="send it as `session` with every request")
    channel: str
    expires_at: datetime


class ChatRequest(BaseModel):
    """One user message sent to ``/api/chat`` (and, with an ``id``, over ``/ws/chat``)."""

    model_config = ConfigDict(extra="forbid")

    session: str = _SESSION
    text: str = Field(description="what the user typed or the payload of a pressed button")
    id: MessageId | int | None = Field(
        default=None,
        description="the client's id of this message (a UUID): a repeat gets the same answer",
    )

    @property
    def message_id(self) -> str | None:
        return None if self.id is None else str(self.id)

    language: str | None = Field(default=None, description="the language the user chose")


class LanguageRequest(BaseModel):
    """The language a user picked (the kiosk's picker)."""

    model_config = ConfigDict(extra="forbid")

    session: str = _SESSION
    language: str = Field(min_length=2, max_length=16)


class SessionRequest(BaseModel):
    """Names one conversation by its session: the wipe, a continuation token."""

    model_config = ConfigDict(extra="forbid")

    session: str = _SESSION


def get_service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.service
    return service


async def session_of(request: Request, token: str) -> Session:
    """The live session ``token`` names (its row is read in a worker thread: a database read
    on the event loop would hold up every other conversation of this gateway).

    Raises:
        ApiError: 401 when it names none.
    """
    sessions: Sessions = request.app.state.sessions
    try:
        return await asyncio.to_thread(sessions.check, token)
    except SessionError as error:
        raise ApiError(401, error.code, str(error)) from error


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


def client_address(request: Request) -> str:
    """The caller's address (the gateway listens on loopback behind the hall's proxy)."""
    return request.client.host if request.client else "unknown"


def rate_limited(strings: StringCatalogue, language: str, retry_after: int) -> ApiError:
    """A 429 with a localized "slow down" reply and Retry-After."""
    text = strings.get("rate_limited", language)
    error = ApiError(429, "rate_limited", "too many messages; try again later")
    error.replies = [{"text": text, "language": language, "kind": "error"}]
    error.headers = {"Retry-After": str(retry_after)}
    return error


async def check_rate(request: Request, session: Session, address: str) -> None:
    """Counts a message against the session's and the address's limits.

    Raises:
        ApiError: 429 when over a limit.
    """
    limits: RateLimits = request.app.state.rate_limits
    refusal = await limits.hit(session.id, address)
    if refusal is not None:
        language = getattr(request.state, "language", "en")
        raise rate_limited(request.app.state.strings, language, refusal.retry_after)


def page_config(settings: Settings, registry: LanguageRegistry) -> dict[str, Any]:
    """What the widget and kiosk pages need to know about this installation."""
    return {
        "kiosk_idle_seconds": settings.web.kiosk_idle_seconds,
        "kiosk_idle_warning_seconds": min(
            settings.web.kiosk_idle_warning_seconds, settings.web.kiosk_idle_seconds
        ),
        "max_text_chars": settings.web.max_text_chars,
        # The privacy notice says how long a booked appointment is kept.
        "retention_days": settings.privacy.retention_days,
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

    @router.post(
        "/api/session",
        response_model=SessionCreated,
        openapi_extra=request_body(SessionCreateRequest),
        responses=error_responses(400, 413, 422, 429),
    )
    async def create_session(
        request: Request, web: Annotated[WebSettings, Depends(get_web_settings)]
    ) -> SessionCreated:
        wanted = await read_body(request, SessionCreateRequest, web.max_body_bytes)
        limits: RateLimits = request.app.state.rate_limits
        refusal = await limits.hit_address(client_address(request))
        if refusal is not None:
            raise rate_limited(request.app.state.strings, "en", refusal.retry_after)
        sessions: Sessions = request.app.state.sessions
        token, session = sessions.issue(wanted.channel)
        return SessionCreated(session=token, channel=session.channel, expires_at=session.expires_at)

    @router.post(
        "/api/chat",
        response_model=TurnResponse,
        openapi_extra=request_body(ChatRequest),
        responses=error_responses(400, 401, 413, 422, 429, 503),
    )
    async def chat(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> dict:
        chat_request = await read_body(request, ChatRequest, web.max_body_bytes)
        session = await session_of(request, chat_request.session)
        message = session.message(
            chat_request.text, chat_request.language, message_id=chat_request.message_id
        )
        # Error replies (e.g. Rasa down) are written in the language the user is using.
        request.state.language = service.language_of(message)
        await check_rate(request, session, client_address(request))
        turn = await service.handle(message)
        return {"id": chat_request.id, **turn.to_dict()}

    @router.post(
        "/api/language",
        response_model=LanguageChosen,
        openapi_extra=request_body(LanguageRequest),
        responses=error_responses(400, 401, 413, 422),
    )
    async def choose_language(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> dict:
        choice = await read_body(request, LanguageRequest, web.max_body_bytes)
        session = await session_of(request, choice.session)
        reply = service.choose_language(session.id, session.channel, choice.language)
        language = request.app.state.registry.get(choice.language)
        return {
            "language": choice.language,
            "direction": language.direction,
            "reply": reply.to_dict(),
        }

    @router.post(
        "/api/forget",
        status_code=204,
        response_class=Response,
        openapi_extra=request_body(SessionRequest),
        responses=error_responses(400, 401, 413, 422),
    )
    async def forget(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> Response:
        """Erases the session's conversation everywhere and ends the session."""
        body = await read_body(request, SessionRequest, web.max_body_bytes)
        session = await session_of(request, body.session)
        eraser: ConversationEraser = request.app.state.eraser
        sessions: Sessions = request.app.state.sessions
        # Under the turn lock: no turn of this conversation writes while its rows go.
        async with service.holding_turn(session.conversation_id):
            await asyncio.to_thread(eraser.erase, [session.conversation_id])
            service.forget(session.id, session.channel)
            request.app.state.live.drop(session.conversation_id)
        sessions.end(session)
        return Response(status_code=204)

    @router.get("/api/config", responses=error_responses())
    async def config(request: Request) -> dict:
        return page_config(request.app.state.settings, request.app.state.registry)

    @router.get("/api/strings/{language}", responses=error_responses(422))
    async def strings(
        language: Annotated[str, Path(min_length=1, max_length=16)], request: Request
    ) -> dict[str, str]:
        return request.app.state.strings.all_for(language)

    return router
