"""What the gateway's OpenAPI document says about bodies and errors.

Routes read their bodies themselves (the size limit is enforced while reading), so FastAPI
cannot see the request models: :func:`request_body` declares them, :func:`error_responses`
lists the error answers a route really gives.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ErrorDetail(BaseModel):
    field: str
    problem: str


class ErrorInfo(BaseModel):
    code: str = Field(description="stable, for programs: invalid_session, rate_limited...")
    message: str = Field(description="for people, in English")
    details: list[ErrorDetail] | None = None


class ReplyButton(BaseModel):
    title: str
    payload: str


class ReplyLink(BaseModel):
    title: str
    url: str


class ReplySource(BaseModel):
    name: str
    url: str | None
    last_verified: str | None
    entry_id: str | None


class ReplyBody(BaseModel):
    """One bubble of an answer."""

    model_config = ConfigDict(extra="allow")

    text: str
    language: str
    kind: str
    buttons: list[ReplyButton] = []
    links: list[ReplyLink] = []
    source: ReplySource | None = None
    machine_translated: bool = False
    notes: list[str] = []
    data: dict[str, Any] = {}


class ErrorResponse(BaseModel):
    """Every error: ``replies`` holds a localized message where a user should see one."""

    error: ErrorInfo
    replies: list[ReplyBody] | None = None


class TurnResponse(BaseModel):
    id: str | int | None = None
    language: str
    replies: list[ReplyBody]


class LanguageChosen(BaseModel):
    language: str
    direction: str
    reply: ReplyBody


_DESCRIPTIONS = {
    400: "the body is not UTF-8 JSON",
    401: "no valid session: invalid_session, session_expired or session_ended",
    404: "not found",
    413: "the body or the text is too long",
    422: "the body does not match the API",
    429: "too many messages (see Retry-After)",
    503: "the assistant is unavailable (see Retry-After)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: these statuses, plus 404/405 and 500, which any route can
    give (an unknown path, a wrong method, a bug)."""
    listed: dict[int | str, dict[str, Any]] = {
        status: {"model": ErrorResponse, "description": _DESCRIPTIONS[status]}
        for status in statuses
    }
    listed[500] = {"model": ErrorResponse, "description": "something went wrong on our side"}
    return listed


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra=`` declaring ``model`` as the route's required JSON body."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
