"""Who is calling the console: the session cookie, the CSRF header, the Origin check.

Every protected route depends on :func:`require_staff` (read) or :func:`require_change`
(state-changing: session + CSRF token + same origin); admin-only routes on
:func:`require_admin`.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from starlette.requests import HTTPConnection

from bot.settings import Settings
from bot.staff import StaffAuth, StaffSession

COOKIE = "td_staff"
CSRF_HEADER = "x-csrf-token"


class StaffAuthRequired(Exception):
    """No valid console session: pages redirect to the login, the API answers 401."""


class StaffForbidden(Exception):
    """A session without the right (CSRF token, origin or role): 403."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def staff_auth(connection: HTTPConnection) -> StaffAuth:
    auth: StaffAuth = connection.app.state.staff_auth
    return auth


def session_from(connection: HTTPConnection) -> StaffSession | None:
    return staff_auth(connection).check(connection.cookies.get(COOKIE))


def same_origin(connection: HTTPConnection) -> bool:
    """False when the browser says the request comes from another site.

    Browsers send Origin on every cross-site POST and websocket; a missing Origin is a
    non-browser client, which has no victim's cookie to abuse.
    """
    origin = connection.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == connection.headers.get("host")


async def require_staff(request: Request) -> StaffSession:
    session = session_from(request)
    if session is None:
        raise StaffAuthRequired()
    return session


async def require_change(
    request: Request, session: Annotated[StaffSession, Depends(require_staff)]
) -> StaffSession:
    if not same_origin(request):
        raise StaffForbidden("cross_origin", "requests from another site are refused")
    if not staff_auth(request).csrf_ok(session, request.headers.get(CSRF_HEADER)):
        raise StaffForbidden("csrf_failed", "the CSRF token is missing or wrong: reload the page")
    return session


async def require_admin(
    session: Annotated[StaffSession, Depends(require_staff)],
) -> StaffSession:
    if not session.user.is_admin:
        raise StaffForbidden("admin_only", "this needs an admin account")
    return session


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    secure = settings.staff.cookie_secure
    if secure is None:
        secure = settings.mode == "production"
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(settings.staff.session_hours * 3600),
        path="/staff",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/staff", httponly=True, samesite="strict")
