"""The real Rasa server and action server, reached through the gateway and through the
conversation service directly."""

from __future__ import annotations

import os

import pytest

from bot.conversation import ConversationService, IncomingMessage
from bot.conversation.rasa_client import HttpRasaClient
from bot.language.layer import NativeOnlyLanguageLayer
from bot.launcher.process import is_healthy
from tests.integration.conftest import RunningAssistant, start_assistant, stop_assistant
from tests.processes import pid_alive, wait_until

pytestmark = pytest.mark.integration


def test_hello_gets_the_trained_models_greeting(assistant: RunningAssistant) -> None:
    response = assistant.chat("it-en", "hello")
    assert response.status_code == 200
    reply = response.json()["replies"][0]
    assert reply["kind"] == "greeting" and reply["language"] == "en"
    assert "TalentDesk" in reply["text"]


def test_chinese_hello_is_answered_in_chinese(assistant: RunningAssistant) -> None:
    body = assistant.chat("it-zh", "你好").json()
    assert body["language"] == "zh"
    assert body["replies"][0]["language"] == "zh"
    assert "大泽湖国际人才社区" in body["replies"][0]["text"]


@pytest.fixture
async def service(assistant: RunningAssistant, strings, registry):
    rasa = HttpRasaClient(assistant.settings.rasa.url)
    yield ConversationService(rasa, NativeOnlyLanguageLayer(), strings, set(registry.codes))
    await rasa.aclose()


async def test_a_conversation_through_the_service(service: ConversationService) -> None:
    greeting = await service.handle(IncomingMessage("conv-1", "kiosk", "hi there"))
    # The metadata-reading action adds the privacy notice on the kiosk channel only.
    assert [r.kind for r in greeting.replies] == ["greeting", "privacy_notice"]
    help_turn = await service.handle(
        IncomingMessage("conv-1", "kiosk", greeting.replies[0].buttons[0].payload)
    )
    assert "residence" in help_turn.replies[0].text
    thanks = await service.handle(IncomingMessage("conv-1", "kiosk", "thank you so much"))
    assert "welcome" in thanks.replies[0].text
    bye = await service.handle(IncomingMessage("conv-1", "kiosk", "bye"))
    assert "Goodbye" in bye.replies[0].text


async def test_the_slots_follow_each_messages_language(service: ConversationService) -> None:
    chinese = await service.handle(IncomingMessage("conv-2", "web", "谢谢"))
    assert chinese.replies[0].text == "不客气！还有什么可以帮您的吗？"
    english = await service.handle(IncomingMessage("conv-2", "web", "thanks a lot"))
    assert english.replies[0].language == "en" and "welcome" in english.replies[0].text


async def test_out_of_scope_is_declined_in_the_users_language(service: ConversationService) -> None:
    turn = await service.handle(IncomingMessage("conv-3", "web", "讲个笑话"))
    assert turn.replies[0].language == "zh" and "抱歉" in turn.replies[0].text


def test_rasa_down_then_back_and_ctrl_c_leaves_nothing(tmp_path) -> None:
    """Its own assistant: this test kills Rasa, and stops the whole thing at the end."""
    assistant = start_assistant(tmp_path)
    try:
        assert assistant.chat("fault", "hello").status_code == 200
        names = ("actions", "rasa", "gateway")
        pids = {name: assistant.child_pid(name) for name in names}
        os.kill(pids["rasa"], 9)
        assert wait_until(lambda: not pid_alive(pids["rasa"]), timeout=10)

        down = assistant.chat("fault", "hello")
        assert down.status_code == 503
        assert down.json()["error"]["code"] == "assistant_unavailable"
        assert "temporarily unavailable" in down.json()["replies"][0]["text"]
        assert is_healthy(f"{assistant.settings.web.url}/healthz")  # the gateway keeps serving

        # The supervisor restarts Rasa and the same conversation goes on.
        assert wait_until(lambda: assistant.chat("fault", "thanks").status_code == 200)
        assert "welcome" in assistant.chat("fault", "thank you").json()["replies"][0]["text"]
        pids["rasa"] = assistant.child_pid("rasa")
    finally:
        code = stop_assistant(assistant)
    assert code == 0
    assert not [name for name, pid in pids.items() if pid_alive(pid)]
    assert not list(assistant.run_dir.glob("*.pid"))


def test_terminal_chat_for_staff(assistant: RunningAssistant) -> None:
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT

    env = dict(os.environ, TALENTDESK_RASA__PORT=str(assistant.settings.rasa.port))
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="hello\n1\n你好\n/quit\n",
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "TalentDesk" in result.stdout
    assert "[1] What can you do?" in result.stdout
    assert "residence permits" in result.stdout  # button 1 = /help
    assert "大泽湖国际人才社区" in result.stdout
