"""The pages the gateway serves: the kiosk, the embeddable widget script, a demo page.

Every page gets a Content-Security-Policy that allows only this server's own scripts, styles,
images and sockets: no inline script, so text that slipped into the DOM could never run.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import FileResponse
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self'"
)


class SecurityHeaders:
    """Adds the security headers to every HTTP response.

    A plain ASGI middleware: FastAPI's ``@app.middleware("http")`` runs each request through
    an extra task and memory streams, which cost the chat API measurable CPU per message.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            await send(message)

        await self._app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)


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
