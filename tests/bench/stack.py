"""The assistant under benchmark: the real stack started as ``make run`` starts it, with the
French test translation packages installed; its cold start, metrics and peak memory."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.launcher.process import process_cpu_seconds
from tests.argos_test_model import build_argosmodel
from tests.bench.traffic import FRENCH_PIVOT, FRENCH_REPLY
from tests.conftest import PROJECT_ROOT
from tests.integration.conftest import (
    START_TIMEOUT,
    RunningAssistant,
    launch_assistant,
    stop_assistant,
)

Samples = dict[tuple[str, str], float]


@dataclass
class Stack:
    assistant: RunningAssistant
    cold_start_s: float

    @property
    def gateway_url(self) -> str:
        return self.assistant.settings.web.url

    @property
    def rasa_url(self) -> str:
        return self.assistant.settings.rasa.url

    @property
    def action_server_url(self) -> str:
        return self.assistant.settings.action_server.url

    def stop(self) -> None:
        stop_assistant(self.assistant)


def install_french_packages(tmp: Path) -> Path:
    """Builds the fr<->en test packages and installs them with ``python -m bot models``."""
    downloads = tmp / "argosmodels"
    build_argosmodel(downloads, "fr", "en", FRENCH_PIVOT)
    build_argosmodel(downloads, "en", "fr", FRENCH_REPLY)
    models_dir = tmp / "argos"
    installed = subprocess.run(
        [sys.executable, "-m", "bot", "models", "install", "--lang", "fr", "--from", downloads],
        cwd=PROJECT_ROOT,
        env=dict(os.environ, TALENTDESK_TRANSLATION__MODELS_DIR=str(models_dir)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if installed.returncode != 0:
        raise RuntimeError(f"installing the test packages failed:\n{installed.stdout}")
    return models_dir


def start_stack(tmp: Path) -> Stack:
    """Launches ``python -m bot run`` and times it until the gateway's /readyz answers 200."""
    models_dir = install_french_packages(tmp)
    env = {
        "TALENTDESK_TRANSLATION__MODELS_DIR": str(models_dir),
        # Every message is translated, as a new question's would be: with the sentence cache
        # (off by default) the bench's few repeated messages would cost nothing after the
        # first round. Replies keep the default reply memory, as in a hall where the same
        # answers recur: each is translated once (in the warm-up) and the cells measure that
        # steady state.
        "TALENTDESK_TRANSLATION__CACHE_SIZE": "0",
        # All simulated users come from one address at machine speed.
        "TALENTDESK_WEB__RATE_LIMIT_PER_IP": "100000000/minute",
        "TALENTDESK_WEB__RATE_LIMIT_PER_SESSION": "100000000/minute",
    }
    started = time.monotonic()
    assistant = launch_assistant(tmp, env)
    readyz = f"{assistant.settings.web.url}/readyz"
    while time.monotonic() - started < START_TIMEOUT:
        if assistant.process.poll() is not None:
            raise RuntimeError(f"the assistant exited:\n{assistant.log()[-4000:]}")
        try:
            if httpx.get(readyz, timeout=5).status_code == 200:
                return Stack(assistant, time.monotonic() - started)
        except httpx.HTTPError:
            pass  # the gateway is not listening yet
        time.sleep(0.25)
    stop_assistant(assistant)
    raise RuntimeError(f"not ready after {START_TIMEOUT} s:\n{assistant.log()[-4000:]}")


def scrape(url: str) -> Samples:
    """The samples of a Prometheus endpoint, keyed by (sample name, first label value)."""
    text = httpx.get(f"{url}/metrics", timeout=30).text
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            label = next(iter(sample.labels.values()), "")
            samples[(sample.name, label)] = sample.value
    return samples


def _pids(assistant: RunningAssistant) -> dict[str, int]:
    """The supervisor's and each supervised process's pid, by service name."""
    pids = {"supervisor": assistant.process.pid}
    for pid_file in sorted(assistant.run_dir.glob("*.pid")):
        pids[pid_file.stem] = int(pid_file.read_text().strip())
    return pids


def cpu_seconds(assistant: RunningAssistant) -> dict[str, float]:
    """CPU time (s) each process has used so far, and this process's own (the load generator
    shares the two cores with the assistant)."""
    used = {
        name: seconds
        for name, pid in _pids(assistant).items()
        if (seconds := process_cpu_seconds(pid)) is not None
    }
    own = os.times()
    used["load generator"] = own.user + own.system
    return used


def peak_memory_mb(assistant: RunningAssistant) -> dict[str, float]:
    """Peak resident memory (VmHWM, MB) of the supervisor and each supervised process."""
    memory: dict[str, float] = {}
    for name, pid in _pids(assistant).items():
        status = Path(f"/proc/{pid}/status")
        if status.exists():
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    memory[name] = round(int(line.split()[1]) / 1024, 1)
    return memory
