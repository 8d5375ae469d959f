"""``run_bot`` as ``python -m bot telegram`` runs it: readiness, polling, webhook mode, a bad token.

The language menu needs no Rasa, so these run without the Rasa stack."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.errors import ConfigurationError
from bot.settings import Settings
from bot.telegram.app import WEBHOOK_PATH, run_bot
from tests.processes import free_port
from tests.telegram_fake import TOKEN, FakeTelegram

SECRET = "s3cret-token_0123456789"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram() as server:
        yield server


def bot_settings(tmp_path: Path, fake: FakeTelegram, **telegram: object) -> Settings:
    return Settings(
        _env_file=None,
        var_dir=tmp_path / "var",
        storage={"database_url": f"sqlite:///{tmp_path}/talentdesk.db"},
        rasa={"port": free_port()},  # nothing listens: the tests here never reach Rasa
        telegram={
            "token": TOKEN,
            "api_base_url": fake.base_url,
            "port": free_port(),
            "polling_timeout_seconds": 1,
            "retry_unavailable_seconds": 0,
            **telegram,
        },
    )


async def health(settings: Settings) -> int:
    async with httpx.AsyncClient() as client:
        try:
            response = await client.get(f"{settings.telegram.url}/healthz")
        except httpx.TransportError:
            return 0
        return response.status_code


async def test_polling_mode_is_ready_after_get_me_and_answers(tmp_path, fake) -> None:
    settings = bot_settings(tmp_path, fake)
    task = asyncio.create_task(run_bot(settings))
    try:
        assert await _eventually_healthy(settings)
        assert [c.method for c in fake.calls][:3] == ["getMe", "setMyCommands", "deleteWebhook"]
        fake.push_message(5, "/language")
        [menu] = await fake.until(lambda: fake.sent_to(5))
        assert len([b for row in menu["reply_markup"]["inline_keyboard"] for b in row]) == 32
        # The service is down (no Rasa) and the bot has no time to retry (retry_unavailable_
        # seconds=0): the user is told so, politely, and polling goes on.
        fake.push_message(5, "hello there")
        await fake.until(lambda: len(fake.sent_to(5)) == 2)
        assert "temporarily unavailable" in fake.sent_to(5)[1]["text"]
        fake.push_message(5, "/language")
        await fake.until(lambda: len(fake.sent_to(5)) == 3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_webhook_mode_sets_the_webhook_and_checks_the_secret(tmp_path, fake) -> None:
    settings = bot_settings(
        tmp_path,
        fake,
        mode="webhook",
        webhook_url="https://bot.example.org/telegram/webhook",
        webhook_secret=SECRET,
    )
    task = asyncio.create_task(run_bot(settings))
    try:
        assert await _eventually_healthy(settings)
        [call] = fake.calls_of("setWebhook")
        assert call.params["url"] == "https://bot.example.org/telegram/webhook"
        assert call.params["secret_token"] == SECRET
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 6, "type": "private"},
                "from": {"id": 6, "is_bot": False, "first_name": "W"},
                "text": "/language",
                "entities": [{"type": "bot_command", "offset": 0, "length": 9}],
            },
        }
        url = f"{settings.telegram.url}{WEBHOOK_PATH}"
        async with httpx.AsyncClient() as client:
            forged = await client.post(url, json=update)
            assert forged.status_code == 401
            accepted = await client.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            )
            assert accepted.status_code == 200
        [menu] = await fake.until(lambda: fake.sent_to(6))
        assert menu["reply_markup"]["inline_keyboard"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_a_rejected_token_is_a_configuration_error(tmp_path, fake) -> None:
    settings = bot_settings(tmp_path, fake, token="999:wrong")
    with pytest.raises(ConfigurationError, match="rejected the bot token"):
        await asyncio.wait_for(run_bot(settings), timeout=60)


def test_webhook_mode_needs_an_https_url_and_a_strong_secret() -> None:
    with pytest.raises(ValueError, match="webhook_url"):
        Settings(_env_file=None, telegram={"mode": "webhook", "webhook_secret": SECRET})
    with pytest.raises(ValueError, match="webhook_secret"):
        Settings(
            _env_file=None,
            telegram={"mode": "webhook", "webhook_url": "https://x.org/h", "webhook_secret": "x"},
        )


async def _eventually_healthy(settings: Settings) -> bool:
    for _ in range(600):
        if await health(settings) == 200:
            return True
        await asyncio.sleep(0.1)
    return False
