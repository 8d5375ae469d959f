"""A fake Telegram Bot API server on loopback, for tests of the real aiogram client.

It speaks the Bot API's HTTP protocol (``POST /bot<token>/<method>``, form or JSON parameters,
``{"ok": ..., "result": ...}`` answers) for the methods the bot uses, records every call, and
lets a test push updates that ``getUpdates`` hands out with Telegram's long-poll and offset
semantics. It runs its own event loop in a thread, so synchronous tests can drive it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.processes import free_port

TOKEN = "123456:TEST-token_for-the-fake-server"
BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "TalentDesk",
    "username": "talentdesk_test_bot",
}
# Parameters aiogram sends as JSON inside the form; everything else is kept as the string sent.
JSON_FIELDS = {"reply_markup", "allowed_updates", "commands", "link_preview_options", "entities"}


@dataclass
class Call:
    """One request the bot made."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


class FakeTelegram:
    """The fake server. Use as a context manager, or call :meth:`start` and :meth:`stop`."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.port = free_port()
        self.calls: list[Call] = []
        self.webhook_url: str | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1000)
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._new_update: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- life cycle ------------------------------------------------------------------------
    def start(self) -> FakeTelegram:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=30)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    async def _serve(self) -> None:
        self._new_update = asyncio.Event()
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    # --- what tests do ---------------------------------------------------------------------
    def push(self, update: dict[str, Any]) -> int:
        """Queues a raw update (its ``update_id`` is set unless present); returns the id."""
        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
        self._loop.call_soon_threadsafe(self._wake)
        return int(update["update_id"])

    def push_message(self, user_id: int, text: str | None = None, **content: Any) -> int:
        """A private message from ``user_id``: text (commands too) or other content."""
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": f"User{user_id}"},
            "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(content)
        return self.push({"message": message})

    def push_callback(self, user_id: int, data: str, message: dict[str, Any]) -> int:
        """A press of an inline button of ``message`` (a message the bot sent)."""
        return self.push(
            {
                "callback_query": {
                    "id": f"cb{next(self._message_ids)}",
                    "from": {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"},
                    "chat_instance": f"ci{user_id}",
                    "message": message,
                    "data": data,
                }
            }
        )

    def calls_of(self, method: str, chat_id: int | None = None) -> list[Call]:
        with self._lock:
            calls = [c for c in self.calls if c.method == method]
        if chat_id is not None:
            calls = [c for c in calls if str(c.params.get("chat_id")) == str(chat_id)]
        return calls

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The messages sent to ``chat_id`` (the parameters of each ``sendMessage``)."""
        return [c.params for c in self.calls_of("sendMessage", chat_id)]

    def wait_for(
        self, condition: Callable[[], Any], timeout: float = 180.0, interval: float = 0.1
    ) -> Any:
        """Polls ``condition`` until it returns something truthy; fails the test otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval)
        raise AssertionError(f"timed out after {timeout} s; calls so far: {self.summary()}")

    async def until(self, condition: Callable[[], Any], timeout: float = 60.0) -> Any:
        """:meth:`wait_for` for async tests whose event loop runs the bot."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            await asyncio.sleep(0.02)
        raise AssertionError(f"timed out after {timeout} s; calls so far: {self.summary()}")

    def summary(self) -> list[str]:
        with self._lock:
            return [
                f"{c.method} {json.dumps(c.params, ensure_ascii=False)[:200]}" for c in self.calls
            ]

    # --- the Bot API -----------------------------------------------------------------------
    def _wake(self) -> None:
        assert self._new_update is not None
        self._new_update.set()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        params = await _params(request)
        if method != "getUpdates":
            with self._lock:
                self.calls.append(Call(method, params))
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, f"Not Found: method {method} is not in the fake")
        return await handler(params)

    async def _api_getMe(self, _: dict[str, Any]) -> web.Response:
        return _ok(BOT_USER)

    async def _api_getUpdates(self, params: dict[str, Any]) -> web.Response:
        assert self._new_update is not None
        if self.webhook_url:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:  # confirms, and forgets, every earlier update
                    self._updates = [u for u in self._updates if _update_id(u) >= offset]
                pending = list(self._updates[: int(params.get("limit") or 100)])
                self._new_update.clear()
            remaining = deadline - time.monotonic()
            if pending or remaining <= 0:
                return _ok(pending)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), remaining)

    async def _api_sendMessage(self, params: dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        if not str(params.get("text", "")).strip():
            return _error(400, "Bad Request: message text is empty")
        if len(str(params["text"]).encode("utf-16-le")) // 2 > 4096:
            return _error(400, "Bad Request: message is too long")
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": params["text"],
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        return _ok(message)

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_editMessageText(self, params: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_answerCallbackQuery(self, _: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_sendChatAction(self, _: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_setMyCommands(self, _: dict[str, Any]) -> web.Response:
        return _ok(True)

    async def _api_setWebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook_url = str(params.get("url") or "") or None
        return _ok(True)

    async def _api_deleteWebhook(self, _: dict[str, Any]) -> web.Response:
        self.webhook_url = None
        return _ok(True)


async def _params(request: web.Request) -> dict[str, Any]:
    """The call's parameters; aiogram sends a form whose complex values are JSON."""
    if request.content_type == "application/json":
        raw: dict[str, Any] = await request.json()
        return raw
    form = await request.post()
    return {
        key: json.loads(str(value)) if key in JSON_FIELDS else str(value)
        for key, value in form.items()
    }


def _update_id(update: dict[str, Any]) -> int:
    value = update.get("update_id")
    return value if isinstance(value, int) else 0


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": status, "description": description}, status=status
    )
