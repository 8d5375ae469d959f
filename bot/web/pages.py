"""The pages the gateway serves: the kiosk, the embeddable widget script, a demo page.

Every page gets a Content-Security-Policy that allows only this server's own scripts, styles,
images and sockets: no inline script, so text that slipped into the DOM could never run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)


def install_security_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def _headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return response


def create_pages_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    # The widget is one script for the host page to include: the shared chat code and the
    # widget's own code, joined here so there is no build step.
    parts = ("markdown.js", "chat-core.js", "widget.js")
    widget_script = "\n".join((STATIC_DIR / name).read_text(encoding="utf-8") for name in parts)

    @router.get("/")
    async def demo_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    @router.get("/kiosk")
    async def kiosk_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "kiosk.html")

    @router.get("/widget.js")
    async def widget_js() -> Response:
        return Response(
            widget_script,
            media_type="text/javascript; charset=utf-8",
            headers={"Cache-Control": "no-cache"},
        )

    @router.get("/favicon.ico")
    async def favicon() -> FileResponse:
        return FileResponse(STATIC_DIR / "favicon.svg", media_type="image/svg+xml")

    @router.get("/widget.css")
    async def widget_css() -> FileResponse:
        return FileResponse(STATIC_DIR / "widget.css", media_type="text/css")

    return router
