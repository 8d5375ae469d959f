"""``create_app``: the gateway's FastAPI application."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from bot.conversation import ConversationService
from bot.conversation.rasa_client import HttpRasaClient
from bot.conversation.service import InMemoryLanguageMemory
from bot.language.registry import LanguageRegistry
from bot.language.strings import StringCatalogue
from bot.language.translating_layer import TranslatingLanguageLayer, build_language_layer
from bot.settings import Settings
from bot.web.api import create_api_router
from bot.web.errors import install_error_handlers

STATIC_DIR = Path(__file__).parent / "static"


def build_conversation_service(
    settings: Settings, strings: StringCatalogue, registry: LanguageRegistry
) -> tuple[ConversationService, HttpRasaClient]:
    """The production wiring of the conversation service (the caller closes the client)."""
    rasa = HttpRasaClient(settings.rasa.url, settings.rasa.timeout_seconds)
    language = build_language_layer(settings, strings, registry)
    if isinstance(language, TranslatingLanguageLayer):
        # Identification runs on the event loop (about 1 ms a message), but loading its models
        # takes seconds: do it now in the background, while Rasa is still starting.
        threading.Thread(target=language.warm_up, name="language-warm-up", daemon=True).start()
    service = ConversationService(
        rasa=rasa,
        language=language,
        strings=strings,
        supported_languages=set(registry.codes),
        memory=InMemoryLanguageMemory(),
        max_text_chars=settings.web.max_text_chars,
    )
    return service, rasa


def create_app(settings: Settings, service: ConversationService | None = None) -> FastAPI:
    """Builds the gateway.

    Args:
        settings: The project settings.
        service: An already built conversation service (tests); by default one talking to
            the Rasa server in ``settings`` is built when the app starts.
    """
    strings = service.strings if service is not None else StringCatalogue.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if service is not None:
            app.state.service = service
            yield
            return
        built, rasa = build_conversation_service(settings, strings, LanguageRegistry.load())
        app.state.service = built
        try:
            yield
        finally:
            await rasa.aclose()

    app = FastAPI(title="TalentDesk gateway", lifespan=lifespan)
    app.state.strings = strings
    app.state.web_settings = settings.web
    install_error_handlers(app)
    app.include_router(create_api_router())

    @app.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    async def widget_page() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
