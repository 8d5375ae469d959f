"""Starts services in order, restarts a crashed one, stops them all on a signal.

Each restart runs in a thread of its own: a Rasa server takes about a minute to come back, and
while the supervisor waited for it a gateway that had exited meanwhile stayed down (the load
test's production run: gateway 2, stopped 18 s after Rasa server 1 was killed, was not back by
the end of the run)."""

from __future__ import annotations

import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from bot.launcher.process import ManagedProcess, ServiceSpec, ServiceStartError, is_healthy

# CPU a child must have used between two health checks to count as busy rather than hung, and
# how many busy failures weigh as one idle one.
BUSY_CPU_SECONDS = 1.0
BUSY_GRACE = 10


class Supervisor:
    """Runs a list of services like a small process manager.

    Args:
        specs: Services in start order (later ones may depend on earlier ones).
        run_dir: Where pid files go.
        output: Where lines of output go.
        max_restarts: Restarts allowed per service within ``restart_window`` seconds before
            the supervisor gives up and stops everything.
        ready_message: Printed once every service is healthy.
        health_interval: Seconds between health checks of running services.
        health_failures: Failed checks in a row after which a running service is restarted
            (a hung child that has not exited).
        health_timeout: How long a running service's health check may take: a service busy
            under load answers late, a hung one never does.
    """

    def __init__(
        self,
        specs: list[ServiceSpec],
        run_dir: Path,
        output: Callable[[str], None],
        max_restarts: int = 5,
        restart_window: float = 300.0,
        ready_message: str = "",
        health_interval: float = 10.0,
        health_failures: int = 3,
        health_timeout: float = 30.0,
    ) -> None:
        self._processes = [ManagedProcess(spec, run_dir, output) for spec in specs]
        self._output = output
        self._max_restarts = max_restarts
        self._restart_window = restart_window
        self._ready_message = ready_message
        self._stop = threading.Event()
        self._restarts: dict[str, deque[float]] = {spec.name: deque() for spec in specs}
        self._health_interval = health_interval
        self._health_failures = health_failures
        self._health_timeout = health_timeout
        self._failed_checks: dict[str, float] = {spec.name: 0 for spec in specs}
        self._cpu_at_check: dict[str, float | None] = {}
        self._busy_reported: dict[str, bool] = {}
        self._restarting: dict[str, threading.Thread] = {}

    def request_stop(self, *_: object) -> None:
        self._stop.set()

    def install_signal_handlers(self) -> None:
        def handler(signum: int, _: FrameType | None) -> None:
            self._output(f"supervisor| received {signal.Signals(signum).name}, stopping")
            self.request_stop()

        signal.signal(signal.SIGINT, handler)
        signal.signal(signal.SIGTERM, handler)

    def run(self) -> int:
        """Starts everything and supervises until stopped. Returns the exit code."""
        try:
            for process in self._processes:
                if self._stop.is_set():
                    return 0
                self._start(process)
            if self._ready_message:
                self._output(self._ready_message)
            next_check = time.monotonic() + self._health_interval
            while not self._stop.wait(1.0):
                self._forget_finished_restarts()
                for process in self._processes:
                    if process.spec.name in self._restarting:
                        continue
                    code = process.exit_code()
                    if code is not None and not self._stop.is_set():
                        self._restart(process, f"exited with code {code}")
                if time.monotonic() >= next_check:
                    self._check_health()
                    next_check = time.monotonic() + self._health_interval
            return 0
        except ServiceStartError as error:
            self._output(f"supervisor| {error}; stopping everything")
            return 1
        finally:
            self.stop_all()

    def _start(self, process: ManagedProcess) -> None:
        self._output(f"supervisor| starting {process.spec.name}")
        process.start()
        process.wait_healthy(self._stop.is_set)
        if not self._stop.is_set():
            self._output(f"supervisor| {process.spec.name} is ready (pid {process.pid})")

    def _check_health(self) -> None:
        """Restarts a running child whose health check failed ``health_failures`` times in a
        row: a process can hang (deadlock, a stuck event loop) without exiting.

        A failed check counts fully only when the child used (almost) no CPU since the
        previous check. Rasa works through its queue of turns on one event loop, so under load
        its health check waits behind them: the load test's 100 users made it miss three 30 s
        checks, and the restart took it away for minutes. A busy child's failures count
        ``1 / BUSY_GRACE`` each, so one spinning in a loop forever is still restarted, later.
        """
        for process in self._processes:
            url = process.spec.health_url
            name = process.spec.name
            if url is None or self._stop.is_set() or name in self._restarting:
                continue
            if process.exit_code() is not None:
                continue
            cpu_before = self._cpu_at_check.get(name)
            healthy = is_healthy(url, timeout=self._health_timeout)
            cpu_now = process.cpu_seconds()
            self._cpu_at_check[name] = cpu_now
            if healthy:
                self._failed_checks[name] = 0
                continue
            busy = (
                cpu_before is not None
                and cpu_now is not None
                and cpu_now - cpu_before >= BUSY_CPU_SECONDS
            )
            self._failed_checks[name] += 1 / BUSY_GRACE if busy else 1
            if busy and not self._busy_reported.get(name):
                self._output(f"supervisor| {name} answers its health check late but is busy")
            self._busy_reported[name] = busy
            if self._failed_checks[name] >= self._health_failures:
                self._failed_checks[name] = 0
                self._restart(process, f"failed {self._health_failures} health checks")

    def _restart(self, process: ManagedProcess, reason: str) -> None:
        """Counts the crash (too many in the window stop everything, raised here in the
        supervising loop) and restarts the service in the background."""
        name = process.spec.name
        history = self._restarts[name]
        now = time.monotonic()
        while history and now - history[0] > self._restart_window:
            history.popleft()
        if len(history) >= self._max_restarts:
            raise ServiceStartError(
                f"{name} crashed {len(history) + 1} times in {self._restart_window:.0f} s"
            )
        history.append(now)
        self._output(f"supervisor| {name} {reason}; restarting")
        self._cpu_at_check.pop(name, None)  # the new process's CPU starts from zero
        self._failed_checks[name] = 0
        backoff = min(2 ** len(history), 30)  # back off a crash loop
        thread = threading.Thread(
            target=self._restart_in_background, args=(process, backoff), name=f"restart-{name}"
        )
        self._restarting[name] = thread
        thread.start()

    def _restart_in_background(self, process: ManagedProcess, backoff: float) -> None:
        process.stop()
        if self._stop.wait(backoff):
            return
        try:
            self._start(process)
        except ServiceStartError as error:
            # Only a failed first start stops everything. A service that dies (or is killed)
            # while being restarted is one more crash: the loop restarts it again, and the
            # restart limit above still ends a real crash loop.
            self._output(f"supervisor| {error}")

    def _forget_finished_restarts(self) -> None:
        for name, thread in list(self._restarting.items()):
            if not thread.is_alive():
                del self._restarting[name]

    def stop_all(self) -> None:
        # A restart under way notices the stop within a health poll; let it finish starting
        # its process first, so that process is stopped below and not left behind.
        for thread in list(self._restarting.values()):
            thread.join(timeout=60)
        self._restarting.clear()
        for process in reversed(self._processes):
            if process.pid is not None:
                self._output(f"supervisor| stopping {process.spec.name}")
            process.stop()
