"""``/staff``: the console page, sign-in and out, the caller's identity, the audit log.

Every route here except :data:`PUBLIC_STAFF_PATHS` depends on a valid console session; a
test walks the app's router to hold that.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from pydantic import BaseModel, ConfigDict, Field

from bot.staff import LoginThrottled, StaffAudit, StaffSession
from bot.web.api import client_address, read_body
from bot.web.errors import ApiError, error_body
from bot.web.pages import STATIC_DIR
from bot.web.staff.security import (
    StaffAuthRequired,
    StaffForbidden,
    clear_session_cookie,
    require_admin,
    require_change,
    require_staff,
    same_origin,
    set_session_cookie,
    staff_auth,
)

STAFF_STATIC = STATIC_DIR / "staff"
UI_STRINGS = Path(__file__).resolve().parents[2] / "staff" / "ui_strings.yml"
# The only /staff routes that answer without a session: the sign-in form and its wording.
PUBLIC_STAFF_PATHS = frozenset({"/staff/login", "/staff/ui-strings"})


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


def install_staff_handlers(app: FastAPI) -> None:
    """A page without a session goes to the sign-in form; the API answers 401 / 403."""

    @app.exception_handler(StaffAuthRequired)
    async def _unauthenticated(request: Request, _: StaffAuthRequired) -> Response:
        if request.method == "GET" and not request.url.path.startswith("/staff/api/"):
            return RedirectResponse("/staff/login", status_code=303)
        body = error_body("staff_login_required", "sign in at /staff/login")
        return JSONResponse(body, status_code=401)

    @app.exception_handler(StaffForbidden)
    async def _forbidden(_: Request, exc: StaffForbidden) -> Response:
        return JSONResponse(error_body(exc.code, str(exc)), status_code=403)


def create_staff_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    ui_strings: dict[str, dict[str, str]] = yaml.safe_load(UI_STRINGS.read_text(encoding="utf-8"))

    @router.get("/staff/login")
    async def login_page() -> FileResponse:
        return FileResponse(STAFF_STATIC / "login.html")

    @router.get("/staff/ui-strings")
    async def strings() -> dict[str, dict[str, str]]:
        return ui_strings

    @router.post("/staff/login", status_code=204, response_class=Response)
    async def login(request: Request) -> Response:
        if not same_origin(request):
            raise StaffForbidden("cross_origin", "requests from another site are refused")
        settings = request.app.state.settings
        body = await read_body(request, LoginRequest, 4096)
        try:
            token, _ = await asyncio.to_thread(
                staff_auth(request).login, body.username, body.password, client_address(request)
            )
        except LoginThrottled as error:
            api_error = ApiError(429, "login_throttled", str(error))
            api_error.headers = {"Retry-After": str(error.retry_after)}
            raise api_error from error
        except PermissionError as error:
            raise ApiError(401, "login_failed", "wrong username or password") from error
        response = Response(status_code=204)
        set_session_cookie(response, token, settings)
        return response

    @router.get("/staff")
    async def console(_: Annotated[StaffSession, Depends(require_staff)]) -> FileResponse:
        return FileResponse(STAFF_STATIC / "console.html")

    @router.post("/staff/logout", status_code=204, response_class=Response)
    async def logout(
        request: Request, session: Annotated[StaffSession, Depends(require_change)]
    ) -> Response:
        await asyncio.to_thread(staff_auth(request).logout, session)
        response = Response(status_code=204)
        clear_session_cookie(response)
        return response

    @router.get("/staff/api/me")
    async def me(
        request: Request, session: Annotated[StaffSession, Depends(require_staff)]
    ) -> dict[str, Any]:
        return {
            "username": session.user.username,
            "display_name": session.user.display_name,
            "role": session.user.role,
            "csrf_token": staff_auth(request).csrf_token(session),
        }

    @router.get("/staff/api/audit")
    async def audit(
        request: Request, _: Annotated[StaffSession, Depends(require_admin)]
    ) -> list[dict[str, Any]]:
        log: StaffAudit = staff_auth(request).audit
        entries = await asyncio.to_thread(log.recent, 200)
        return [
            {
                "at": entry.at.isoformat(),
                "actor": entry.actor,
                "action": entry.action,
                "target": entry.target,
                "detail": entry.detail,
            }
            for entry in entries
        ]

    return router
