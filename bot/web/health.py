"""``/healthz`` (the process is alive), ``/readyz`` (everything a turn needs answers) and
``/metrics`` (Prometheus).

A load balancer routes to a gateway only while it is ready; the launcher restarts one that is
not alive.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import redis.asyncio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import Engine, func, select, text

from bot.settings import Settings
from bot.storage.handoffs import handoff_requests

TIMEOUT_SECONDS = 2.0


async def _action_server(settings: Settings) -> bool:
    async with httpx.AsyncClient(timeout=TIMEOUT_SECONDS) as client:
        try:
            response = await client.get(f"{settings.action_server.url}/health")
        except httpx.HTTPError:
            return False
    return response.status_code == 200


def _database(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means not ready
        return False
    return True


async def _redis(url: str) -> bool:
    client = redis.asyncio.Redis.from_url(
        url, socket_timeout=TIMEOUT_SECONDS, socket_connect_timeout=TIMEOUT_SECONDS
    )
    try:
        return bool(await client.ping())
    except redis.RedisError:
        return False
    finally:
        await client.aclose()


async def readiness(request: Request) -> dict[str, bool]:
    """Each dependency of a turn, and whether it answers now."""
    settings: Settings = request.app.state.settings
    checks: dict[str, Any] = {
        "rasa": request.app.state.service.rasa_ready(),
        "action_server": _action_server(settings),
        "database": asyncio.to_thread(_database, request.app.state.engine),
    }
    if settings.storage.redis_url:
        checks["redis"] = _redis(settings.storage.redis_url)
    results = await asyncio.gather(*checks.values())
    return dict(zip(checks, results, strict=True))


def _open_handoffs(engine: Engine) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(handoff_requests.c.status == "open")
        return int(connection.execute(query).scalar_one())


def create_health_router() -> APIRouter:
    # Probes for the orchestrator and Prometheus, not part of the public API document: a 503
    # from /readyz is its answer, not a server error.
    router = APIRouter(include_in_schema=False)

    @router.get("/healthz")
    async def healthz() -> dict:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(request: Request) -> JSONResponse:
        checks = await readiness(request)
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get("/metrics")
    async def metrics(request: Request) -> Response:
        """Prometheus metrics; the open handoffs are counted in the database when scraped."""
        service_metrics = request.app.state.service.metrics
        engine = request.app.state.engine
        service_metrics.open_handoffs.set(await asyncio.to_thread(_open_handoffs, engine))
        return Response(service_metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
