"""Continue a kiosk conversation on the visitor's phone: a token and its QR code.

``POST /api/continuation`` issues a single-use token for the caller's conversation and answers
with the Telegram deep link and the address of its QR code; ``GET /api/continuation/<token>.svg``
draws that link as an SVG (server-side, so the offline kiosk needs no JavaScript QR library).
"""

from __future__ import annotations

import io
import re
from typing import Annotated

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Depends, Request, Response

from bot.conversation import ConversationService
from bot.settings import Settings, WebSettings
from bot.storage.continuation import ContinuationTokens
from bot.web.api import SessionRequest, get_service, get_web_settings, read_body, session_of
from bot.web.errors import ApiError
from bot.web.schema import error_responses, request_body

# What ``secrets.token_urlsafe`` produces and Telegram's ``start`` parameter accepts.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def qr_svg(text: str) -> bytes:
    """``text`` as a QR code in SVG (medium error correction survives a glare on the screen)."""
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathImage,
    )
    code.add_data(text)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image().save(buffer)
    return buffer.getvalue()


def _bot_username(request: Request) -> str:
    settings: Settings = request.app.state.settings
    if settings.telegram.bot_username is None:
        raise ApiError(
            404,
            "continuation_unavailable",
            "no Telegram bot is configured: set TALENTDESK_TELEGRAM__BOT_USERNAME",
        )
    return settings.telegram.bot_username


def create_continuation_router() -> APIRouter:
    router = APIRouter()

    @router.post(
        "/api/continuation",
        openapi_extra=request_body(SessionRequest),
        responses=error_responses(400, 401, 404, 413, 422),
    )
    async def issue(
        request: Request,
        service: Annotated[ConversationService, Depends(get_service)],
        web: Annotated[WebSettings, Depends(get_web_settings)],
    ) -> dict:
        bot_username = _bot_username(request)
        body = await read_body(request, SessionRequest, web.max_body_bytes)
        message = (await session_of(request, body.session)).message("")
        tokens: ContinuationTokens = request.app.state.continuations
        token = tokens.issue(message.sender_id, service.language_of(message))
        return {
            "token": token,
            "url": deep_link(bot_username, token),
            "qr": f"/api/continuation/{token}.svg",
        }

    @router.get(
        "/api/continuation/{token}.svg",
        response_class=Response,
        responses={
            200: {"content": {"image/svg+xml": {}}, "description": "the QR code"},
            **error_responses(404, 422),
        },
    )
    async def qr_code(token: str, request: Request) -> Response:
        if not _TOKEN.match(token):
            raise ApiError(422, "invalid_token", "a token has 1-64 letters, digits, _ or -")
        svg = qr_svg(deep_link(_bot_username(request), token))
        # A token is single-use; caching its picture would only leak it.
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})

    return router
