"""The real assistant, started the way ``make run`` starts it (``python -m bot run``), on free
loopback ports with its data in a temporary folder."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from unittest import mock

import httpx
import pytest

from bot.settings import Settings
from tests.conftest import PROJECT_ROOT
from tests.processes import free_port

# Generous: on a 2-core machine under load, each Rasa server takes minutes to load its model.
START_TIMEOUT = 900


@dataclass
class RunningAssistant:
    """A ``python -m bot run`` process and what tests need to reach it."""

    process: subprocess.Popen[bytes]
    settings: Settings
    run_dir: Path
    log_path: Path
    knowledge: Path
    sessions: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"{self.settings.web.url}/api/chat"

    def child_pid(self, name: str) -> int:
        return int((self.run_dir / f"{name}.pid").read_text())

    def session(self, user: str, channel: str = "web") -> str:
        """The session token of the test user named ``user`` (issued on first use)."""
        if user not in self.sessions:
            response = httpx.post(
                f"{self.settings.web.url}/api/session", json={"channel": channel}, timeout=60
            )
            response.raise_for_status()
            self.sessions[user] = response.json()["session"]
        return self.sessions[user]

    def conversation_id(self, user: str) -> str:
        """The Rasa conversation id of ``user``'s session (``<channel>:<session id>``)."""
        channel, session_id = self.session(user).split(".")[:2]
        return f"{channel}:{session_id}"

    def chat(self, user: str, text: str, channel: str = "web", **extra: object) -> httpx.Response:
        """Sends ``text`` in the session of the test user ``user``."""
        body = {"session": self.session(user, channel), "text": text, **extra}
        return httpx.post(self.api, json=body, timeout=60)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def require_trained_model() -> None:
    model = PROJECT_ROOT / "models" / "talentdesk.tar.gz"
    if not model.exists():
        pytest.fail(f"{model} is missing: run the suite with `make test`, which trains it")


def start_assistant(tmp: Path, extra_env: dict[str, str] | None = None) -> RunningAssistant:
    """Starts ``python -m bot run`` and waits until it is ready; ``extra_env`` overrides the
    embedded defaults (production mode, replicas, a Telegram token...)."""
    assistant = launch_assistant(tmp, extra_env)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if assistant.process.poll() is not None:
            pytest.fail(
                f"the assistant exited with {assistant.process.returncode}:\n"
                f"{assistant.log()[-4000:]}"
            )
        if "TalentDesk is ready" in assistant.log():
            return assistant
        time.sleep(1)
    stop_assistant(assistant)
    pytest.fail(f"the assistant did not start in {START_TIMEOUT} s:\n{assistant.log()[-4000:]}")


def launch_assistant(tmp: Path, extra_env: dict[str, str] | None = None) -> RunningAssistant:
    """Launches ``python -m bot run`` without waiting for it (the benchmark times the start)."""
    require_trained_model()
    # A copy of the knowledge base that tests may edit; the index cache of the checkout (built by
    # an earlier run) is reused when present, since it is keyed by content.
    knowledge = tmp / "knowledge"
    shutil.copytree(PROJECT_ROOT / "knowledge", knowledge)
    index_dir = tmp / "knowledge-index"
    if (PROJECT_ROOT / "var" / "knowledge-index").is_dir():
        shutil.copytree(PROJECT_ROOT / "var" / "knowledge-index", index_dir)
    env = dict(os.environ)
    env.update(
        {
            "TALENTDESK_VAR_DIR": str(tmp / "var"),
            "TALENTDESK_RASA__PORT": str(free_port()),
            "TALENTDESK_ACTION_SERVER__PORT": str(free_port()),
            "TALENTDESK_WEB__PORT": str(free_port()),
            "TALENTDESK_STORAGE__DATABASE_URL": f"sqlite:///{tmp}/talentdesk.db",
            "TALENTDESK_STORAGE__RASA_TRACKER_URL": f"sqlite:///{tmp}/rasa_tracker.db",
            "TALENTDESK_LOG_LEVEL": "WARNING",
            "TALENTDESK_KNOWLEDGE__FOLDER": str(knowledge),
            "TALENTDESK_KNOWLEDGE__INDEX_DIR": str(index_dir),
            "TALENTDESK_KNOWLEDGE__RELOAD_INTERVAL_SECONDS": "0.5",
            # No Argos packages unless a test installs some (never the developer's own).
            "TALENTDESK_TRANSLATION__MODELS_DIR": str(tmp / "argos"),
            # Every test talks from 127.0.0.1, many conversations at machine speed: the abuse
            # limits (tested on their own) would otherwise refuse the suite's own traffic.
            "TALENTDESK_WEB__RATE_LIMIT_PER_IP": "100000/minute",
            "TALENTDESK_WEB__RATE_LIMIT_PER_SESSION": "100000/minute",
            # The supervisor waits as long as the test does (a loaded 2-core machine).
            "TALENTDESK_LAUNCHER__START_TIMEOUT_SECONDS": str(START_TIMEOUT),
        }
    )
    # No Telegram bot unless a test asks for one (with the fake Bot API server).
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.pop("TALENTDESK_TELEGRAM__TOKEN", None)
    env.update(extra_env or {})
    # The settings the assistant itself will build from this environment, parsed the same way.
    with mock.patch.dict(os.environ, env, clear=True):
        settings = Settings(_env_file=None)
    log_path = tmp / "assistant.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return RunningAssistant(process, settings, tmp / "var" / "run", log_path, knowledge)


def stop_assistant(assistant: RunningAssistant) -> int:
    """Ctrl-C, as a user would; returns the supervisor's exit code."""
    if assistant.process.poll() is None:
        assistant.process.send_signal(signal.SIGINT)
        try:
            return assistant.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            assistant.process.kill()
            return assistant.process.wait()
    return assistant.process.returncode


@pytest.fixture(scope="session")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningAssistant]:
    """One running assistant shared by the integration tests that do not break it."""
    running = start_assistant(tmp_path_factory.mktemp("assistant"))
    yield running
    stop_assistant(running)
