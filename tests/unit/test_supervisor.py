"""The supervisor with small real child processes (tiny HTTP servers), no Rasa needed."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest

from bot.launcher.process import ServiceSpec, is_healthy
from bot.launcher.supervisor import Supervisor
from tests.processes import free_port, pid_alive, wait_until

SERVER = """
import http.server, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args): pass
print("serving", flush=True)
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def server_spec(name: str, port: int, timeout: float = 20) -> ServiceSpec:
    return ServiceSpec(
        name=name,
        argv=[sys.executable, "-c", SERVER, str(port)],
        health_url=f"http://127.0.0.1:{port}/",
        env=dict(os.environ),
        start_timeout=timeout,
    )


@pytest.fixture
def lines() -> list[str]:
    return []


def start_in_thread(supervisor: Supervisor) -> tuple[threading.Thread, list[int]]:
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(supervisor.run()), daemon=True)
    thread.start()
    return thread, result


def test_starts_in_order_restarts_a_crash_and_stops_everything(tmp_path: Path, lines) -> None:
    ports = [free_port(), free_port()]
    supervisor = Supervisor(
        [server_spec("first", ports[0]), server_spec("second", ports[1])],
        run_dir=tmp_path,
        output=lines.append,
        ready_message="READY",
    )
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: "READY" in lines)
    assert lines.index(
        "supervisor| first is ready (pid {})".format((tmp_path / "first.pid").read_text())
    ) < next(i for i, line in enumerate(lines) if line.startswith("supervisor| starting second"))
    assert any(line.startswith("first    | serving") for line in lines)

    crashed = int((tmp_path / "second.pid").read_text())
    os.kill(crashed, signal.SIGKILL)
    assert wait_until(lambda: any("second exited with code -9; restarting" in x for x in lines))
    assert wait_until(
        lambda: (
            (tmp_path / "second.pid").exists()
            and int((tmp_path / "second.pid").read_text()) != crashed
            and is_healthy(f"http://127.0.0.1:{ports[1]}/")
        )
    )

    pids = [int((tmp_path / f"{n}.pid").read_text()) for n in ("first", "second")]
    supervisor.request_stop()
    thread.join(timeout=30)
    assert result == [0]
    assert not any(pid_alive(pid) for pid in pids)
    assert not list(tmp_path.glob("*.pid"))


def test_a_child_that_never_becomes_healthy_stops_the_start(tmp_path: Path, lines) -> None:
    good, silent = free_port(), free_port()
    never_healthy = ServiceSpec(
        name="silent",
        argv=[sys.executable, "-c", "import time; time.sleep(60)"],
        health_url=f"http://127.0.0.1:{silent}/",
        start_timeout=1.5,
    )
    supervisor = Supervisor([server_spec("good", good), never_healthy], tmp_path, lines.append)
    assert supervisor.run() == 1
    assert any("silent was not healthy" in line for line in lines)
    assert not is_healthy(f"http://127.0.0.1:{good}/")


def test_a_child_that_exits_while_starting_is_reported(tmp_path: Path, lines) -> None:
    crashing = ServiceSpec(
        name="crash",
        argv=[sys.executable, "-c", "import sys; print('bad config'); sys.exit(3)"],
        health_url=f"http://127.0.0.1:{free_port()}/",
    )
    assert Supervisor([crashing], tmp_path, lines.append).run() == 1
    assert any("crash exited with code 3 while starting" in line for line in lines)


def test_a_crash_loop_gives_up(tmp_path: Path, lines) -> None:
    port = free_port()
    supervisor = Supervisor(
        [server_spec("loop", port)], tmp_path, lines.append, max_restarts=0, restart_window=60
    )
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: any("loop is ready" in line for line in lines))
    os.kill(int((tmp_path / "loop.pid").read_text()), signal.SIGKILL)
    thread.join(timeout=30)
    assert result == [1]
    assert any("loop crashed 1 times" in line for line in lines)


def test_a_running_child_that_stops_answering_its_health_check_is_restarted(
    tmp_path: Path, lines
) -> None:
    port = free_port()
    supervisor = Supervisor(
        [server_spec("hung", port)],
        run_dir=tmp_path,
        output=lines.append,
        ready_message="READY",
        health_interval=0.5,
        health_failures=2,
        health_timeout=1.0,
    )
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: "READY" in lines)
    [process] = supervisor._processes
    first_pid = process.pid
    assert first_pid is not None
    os.kill(first_pid, signal.SIGSTOP)  # alive, but it answers nothing: a hung child
    assert wait_until(
        lambda: any("hung failed 2 health checks; restarting" in line for line in lines),
        timeout=60,
    )
    assert wait_until(
        lambda: process.pid != first_pid and is_healthy(f"http://127.0.0.1:{port}/"), timeout=60
    )
    assert not pid_alive(first_pid)
    supervisor.request_stop()
    thread.join(timeout=60)
    assert result == [0]


def test_a_child_killed_while_it_is_restarted_is_restarted_again(tmp_path: Path, lines) -> None:
    """Only a failed first start stops everything; during the run it is one more crash."""
    port = free_port()
    slow = ServiceSpec(
        name="slow",
        argv=[sys.executable, "-c", "import time; time.sleep(1.5)\n" + SERVER, str(port)],
        health_url=f"http://127.0.0.1:{port}/",
        env=dict(os.environ),
        start_timeout=20,
    )
    supervisor = Supervisor([slow], tmp_path, lines.append, ready_message="READY")
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: "READY" in lines, timeout=60)
    pid_file = tmp_path / "slow.pid"
    first = int(pid_file.read_text())
    os.kill(first, signal.SIGKILL)

    def restarting_pid() -> int | None:
        try:
            pid = int(pid_file.read_text())
        except (OSError, ValueError):
            return None
        return pid if pid != first else None

    assert wait_until(lambda: restarting_pid() is not None, timeout=60)
    second = restarting_pid()
    assert second is not None
    os.kill(second, signal.SIGKILL)  # still sleeping: not healthy yet
    assert wait_until(
        lambda: any("slow exited with code -9 while starting" in line for line in lines),
        timeout=60,
    )
    assert wait_until(
        lambda: restarting_pid() not in (None, second) and is_healthy(f"http://127.0.0.1:{port}/"),
        timeout=60,
    )
    assert thread.is_alive()
    supervisor.request_stop()
    thread.join(timeout=60)
    assert result == [0]


def test_a_child_that_answers_late_but_within_the_timeout_is_kept(tmp_path: Path, lines) -> None:
    """A busy server (Rasa with many conversations at once) is not a hung one."""
    port = free_port()
    supervisor = Supervisor(
        [server_spec("busy", port)],
        run_dir=tmp_path,
        output=lines.append,
        ready_message="READY",
        health_interval=0.5,
        health_failures=2,
        health_timeout=30,
    )
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: "READY" in lines)
    [process] = supervisor._processes
    pid = process.pid
    assert pid is not None
    os.kill(pid, signal.SIGSTOP)  # checks wait on it for a while...
    time.sleep(3)
    os.kill(pid, signal.SIGCONT)  # ...and are answered within their timeout
    assert wait_until(lambda: is_healthy(f"http://127.0.0.1:{port}/"))
    assert process.pid == pid
    assert not any("restarting" in line for line in lines)
    supervisor.request_stop()
    thread.join(timeout=60)
    assert result == [0]


# Answers the first health check (so it starts), then takes every later check but never answers
# it, counting them in a file, while another thread keeps a core busy: a Rasa server working
# through a queue of turns.
BUSY_SERVER = """
import http.server, sys, threading, time
from pathlib import Path
checks = Path(sys.argv[2])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        count = int(checks.read_text() or 0) if checks.exists() else 0
        checks.write_text(str(count + 1))
        if count == 0:
            self.send_response(200); self.end_headers(); self.wfile.write(b"ok"); return
        threading.Thread(target=lambda: [None for _ in iter(int, 1)], daemon=True).start()
        time.sleep(3600)
    def log_message(self, *args): pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"""


def test_a_busy_child_that_answers_late_is_given_longer_than_a_hung_one(
    tmp_path: Path, lines
) -> None:
    port, checks = free_port(), tmp_path / "checks"
    busy = ServiceSpec(
        name="busy",
        argv=[sys.executable, "-c", BUSY_SERVER, str(port), str(checks)],
        health_url=f"http://127.0.0.1:{port}/",
        env=dict(os.environ),
        start_timeout=20,
    )
    supervisor = Supervisor(
        [busy],
        run_dir=tmp_path,
        output=lines.append,
        ready_message="READY",
        health_interval=0.2,
        health_failures=2,
        health_timeout=1.5,
    )
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: "READY" in lines)
    [process] = supervisor._processes
    pid = process.pid

    def failed_checks() -> int:
        return int(checks.read_text() or 0) - 1 if checks.exists() else 0

    # A hung child would be restarted after 2 failed checks; a busy one is still running at 6.
    assert wait_until(lambda: failed_checks() >= 6, timeout=120)
    assert any("busy answers its health check late but is busy" in line for line in lines)
    assert process.pid == pid and not any("restarting" in line for line in lines)
    supervisor.request_stop()
    thread.join(timeout=60)
    assert result == [0]


SLOW_ONCE_FLAGGED = (
    """
import os, sys, time
if os.path.exists(sys.argv[2]):
    time.sleep(8)  # a restart that takes a while, as Rasa's does
"""
    + SERVER
)


def test_a_slow_restart_does_not_hold_up_another_service(tmp_path: Path, lines) -> None:
    slow_port, quick_port = free_port(), free_port()
    flag = tmp_path / "slow-next-time"
    slow = ServiceSpec(
        name="slow",
        argv=[sys.executable, "-c", SLOW_ONCE_FLAGGED, str(slow_port), str(flag)],
        health_url=f"http://127.0.0.1:{slow_port}/",
        start_timeout=30,
    )
    supervisor = Supervisor(
        [slow, server_spec("quick", quick_port)], tmp_path, lines.append, ready_message="READY"
    )
    thread, result = start_in_thread(supervisor)
    assert wait_until(lambda: "READY" in lines)
    flag.touch()
    os.kill(int((tmp_path / "slow.pid").read_text()), signal.SIGKILL)
    assert wait_until(lambda: any("slow exited with code -9; restarting" in x for x in lines))
    os.kill(int((tmp_path / "quick.pid").read_text()), signal.SIGKILL)

    def ready(name: str) -> list[int]:
        return [i for i, x in enumerate(lines) if x.startswith(f"supervisor| {name} is ready")]

    assert wait_until(lambda: len(ready("slow")) == 2 and len(ready("quick")) == 2, timeout=60)
    # The quick service came back while the slow one was still starting, not after it.
    assert ready("quick")[1] < ready("slow")[1]
    supervisor.request_stop()
    thread.join(timeout=60)
    assert result == [0]
    assert not list(tmp_path.glob("*.pid"))
