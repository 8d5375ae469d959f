"""Every error the gateway returns has the same JSON shape::

    {"error": {"code": "text_too_long", "message": "...", "details": [...]}}

A turn that could not be completed (Rasa down, a timeout) is a 503 with
``"retryable": true`` in the error: the client sends the message again with the same id.

and, where the user should see something, ``replies`` with a readable message.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.errors import AssistantUnavailableError, InvalidMessageError

log = logging.getLogger(__name__)

_STATUS_BY_CODE = {"text_too_long": 413, "body_too_large": 413}


class ApiError(Exception):
    """An error the API reports as-is to the client."""

    def __init__(self, status: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details
        self.replies: list[dict[str, Any]] | None = None
        self.headers: dict[str, str] | None = None


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def install_error_handlers(app: FastAPI) -> None:
    """Maps every failure to a JSON error; nothing reaches the client as a bare 500 page."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        body = error_body(exc.code, exc.message, exc.details)
        if exc.replies is not None:
            body["replies"] = exc.replies
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)

    @app.exception_handler(InvalidMessageError)
    async def _invalid_message(_: Request, exc: InvalidMessageError) -> JSONResponse:
        status = _STATUS_BY_CODE.get(exc.code, 422)
        return JSONResponse(error_body(exc.code, str(exc)), status_code=status)

    @app.exception_handler(AssistantUnavailableError)
    async def _unavailable(request: Request, exc: AssistantUnavailableError) -> JSONResponse:
        log.warning("assistant unavailable: %s", exc)
        strings = request.app.state.strings
        language = getattr(request.state, "language", "en")
        message = strings.get("service_unavailable", language)
        body = error_body("assistant_unavailable", message)
        # Nothing of this message is lost: the same id again gets the turn, once.
        body["error"]["retryable"] = True
        body["replies"] = [{"text": message, "language": language, "kind": "error"}]
        return JSONResponse(body, status_code=503, headers={"Retry-After": "10"})

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"),
                "problem": e["msg"],
            }
            for e in exc.errors()
        ]
        return JSONResponse(
            error_body("invalid_request", "the request does not match the API", details),
            status_code=422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in the gateway")
        return JSONResponse(
            error_body("internal_error", "something went wrong on our side"), status_code=500
        )
