"""One supervised child process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import TalentDeskError


class ServiceStartError(TalentDeskError):
    """A child exited or did not become healthy in time."""


@dataclass(frozen=True)
class ServiceSpec:
    """How to start one service and how to know it is ready.

    Attributes:
        name: Short name used in the log prefix and the pid file.
        argv: The command.
        health_url: A URL that answers 200 once the service can take requests.
        env: The child's complete environment.
        cwd: The working directory.
        start_timeout: Seconds to wait for the health check.
    """

    name: str
    argv: list[str]
    health_url: str | None
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    start_timeout: float = 120.0


def is_healthy(url: str, timeout: float = 2.0) -> bool:
    """True when ``url`` answers HTTP 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


class ManagedProcess:
    """Starts, watches and stops one child; its output is prefixed with its name."""

    def __init__(self, spec: ServiceSpec, run_dir: Path, output: Callable[[str], None]) -> None:
        self.spec = spec
        self._run_dir = run_dir
        self._output = output
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def pid_file(self) -> Path:
        return self._run_dir / f"{self.spec.name}.pid"

    def start(self) -> None:
        self._run_dir.mkdir(parents=True, exist_ok=True)
        # A new session per child, so stopping it also stops anything it spawned.
        self._process = subprocess.Popen(
            self.spec.argv,
            cwd=self.spec.cwd,
            env=self.spec.env or None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.pid_file.write_text(str(self._process.pid))
        self._reader = threading.Thread(target=self._pump_output, daemon=True)
        self._reader.start()

    def _pump_output(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        for raw in self._process.stdout:
            line = raw.decode("utf-8", errors="replace").rstrip()
            if line:
                self._output(f"{self.spec.name:<9}| {line}")

    def cpu_seconds(self) -> float | None:
        """CPU time the child and its live children have used so far (Linux ``/proc``), or
        None where that cannot be read."""
        if self.pid is None:
            return None
        return tree_cpu_seconds(self.pid)

    def exit_code(self) -> int | None:
        """None while running, else the exit code."""
        return None if self._process is None else self._process.poll()

    def wait_healthy(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Blocks until the health check passes.

        Raises:
            ServiceStartError: the child exited or the timeout passed.
        """
        deadline = time.monotonic() + self.spec.start_timeout
        while time.monotonic() < deadline and not should_stop():
            code = self.exit_code()
            if code is not None:
                raise ServiceStartError(f"{self.spec.name} exited with code {code} while starting")
            if self.spec.health_url is None or is_healthy(self.spec.health_url):
                return
            time.sleep(0.5)
        if not should_stop():
            raise ServiceStartError(
                f"{self.spec.name} was not healthy at {self.spec.health_url} "
                f"after {self.spec.start_timeout:.0f} s"
            )

    def stop(self, grace_seconds: float = 15.0) -> None:
        """SIGTERM to the child's process group, then SIGKILL after ``grace_seconds``."""
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            _signal_group(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace_seconds)
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        # Grandchildren that ignored SIGTERM go too.
        _signal_group(process.pid, signal.SIGKILL)
        if self._reader is not None:
            self._reader.join(timeout=2)
        self.pid_file.unlink(missing_ok=True)
        self._process = None


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def write_line(line: str) -> None:
    """The supervisor's own output: plain lines on stdout, flushed at once."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, s) one process has used, or None when it is gone (``/proc``)."""
    try:
        # Fields after the command name (which may hold spaces) start at "state".
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    except (OSError, ValueError, IndexError):
        return None


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, s) ``pid`` and its live children have used, or None when
    ``pid`` is gone (Linux ``/proc``)."""
    total, pending, seen = 0.0, [pid], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        used = process_cpu_seconds(current)
        if used is None:
            if current == pid:
                return None
            continue  # a child that exited meanwhile
        total += used
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            if current == pid:
                return None
    return total
