"""`make run` stopped the way people stop it (issue 15): Ctrl-C in its terminal, or SIGTERM.

Driven under a pseudo-terminal, so Ctrl-C is the terminal's own SIGINT to its foreground
process group, as in a real terminal. `make -o install run` skips the install (the suite's
virtualenv is there) and runs the same start and stop; its own data folder and spare ports
keep it apart from the suite's services. Stopped once Redis, Chroma and the worker run, not
after the whole start (minutes here): the stop is the same."""

import contextlib
import os
import pty
import select
import signal
import socket
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.processes import ROOT

STARTED = b"Worker    started"  # Redis, Chroma, the database and the worker are up
STOPPED = "Hybrid KB Assistant stopped."
START_SECONDS = 300
STOP_SECONDS = 30
# The suite's services, and the `make test` this may run under (its flags and level).
INHERITED_NOT = {
    "REDIS_URL",
    "CHROMA_HOST",
    "CHROMA_PORT",
    "DATABASE_URL",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
}
# After make, the terminal's foreground group should be the shell's again.
REPORT = 'echo "make exited $?"; python3 -c "import os; print(\'terminal back:\', os.tcgetpgrp(0) == os.getpgrp())"'


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Run:
    pid: int  # the process the terminal was opened for: the shell, or make itself
    terminal: int
    ports: dict[str, int]
    output: bytes = b""
    ended: bool = False

    def read_until(self, marker: bytes, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while marker not in self.output:
            assert time.monotonic() < deadline, self.output.decode(errors="replace")
            assert self._read(1.0), f"it ended before {marker!r}: {self.output.decode(errors='replace')}"

    def finish(self, seconds: float) -> int:
        """The exit code (-N when killed by signal N), once the output is read to its end."""
        deadline = time.monotonic() + seconds
        while self._read(0.5):
            assert time.monotonic() < deadline, self.output.decode(errors="replace")
        _, status = os.waitpid(self.pid, 0)
        self.ended = True
        return os.waitstatus_to_exitcode(status)

    def abandon(self) -> None:
        """After a failed test: stop it as a person would, and by force if that fails."""
        if not self.ended:
            os.write(self.terminal, b"\x03")
            try:
                self.finish(STOP_SECONDS)
            except AssertionError:
                with contextlib.suppress(OSError):
                    os.killpg(os.tcgetpgrp(self.terminal), signal.SIGKILL)
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        os.close(self.terminal)

    def _read(self, timeout: float) -> bool:
        """False once the terminal is closed (every process that held it has exited)."""
        if select.select([self.terminal], [], [], timeout)[0]:
            try:
                data = os.read(self.terminal, 4096)
            except OSError:  # EIO: nobody holds the terminal any more
                return False
            self.output += data
            return bool(data)
        return True

    def lines(self) -> list[str]:
        return [line for line in self.output.decode(errors="replace").splitlines() if line.strip()]


@pytest.fixture
def start(tmp_path):
    """start(*command) under a new pseudo-terminal, with its own data folder and ports."""
    runs: list[Run] = []

    def run(*command: str) -> Run:
        runs.append(_start(tmp_path, *command))
        return runs[-1]

    yield run
    for started in runs:
        started.abandon()


def _start(data_dir: Path, *command: str) -> Run:
    ports = {"REDIS_PORT": _free_port(), "CHROMA_PORT": _free_port(), "PORT": _free_port()}
    env = {
        **{k: v for k, v in os.environ.items() if k not in INHERITED_NOT},
        **{name: str(port) for name, port in ports.items()},
        "KB_DATA_DIR": str(data_dir),
    }
    pid, terminal = pty.fork()
    if pid == 0:  # the child, in a new session whose controlling terminal is the pty
        os.chdir(ROOT)
        os.execvpe(command[0], list(command), env)  # noqa: S606 - make or a shell, by name
    return Run(pid, terminal, ports)


def assert_stopped_cleanly(run: Run) -> None:
    lines = run.lines()
    assert STOPPED in lines and not any(line.startswith("make: ***") for line in lines), lines
    assert not any(_listening(run.ports[name]) for name in ("REDIS_PORT", "CHROMA_PORT")), (
        "a service outlived the stop"
    )


def test_ctrl_c_stops_make_run_with_status_0_and_gives_the_terminal_back(start):
    run = start("bash", "-c", f"make --no-print-directory -o install run; {REPORT}")
    run.read_until(STARTED, START_SECONDS)

    os.write(run.terminal, b"\x03")  # Ctrl-C: the terminal signals its foreground group

    assert run.finish(STOP_SECONDS) == 0
    lines = run.lines()
    assert lines[-3:] == [STOPPED, "make exited 0", "terminal back: True"], lines
    assert_stopped_cleanly(run)


def test_sigterm_to_make_stops_everything_and_says_so(start):
    run = start("make", "--no-print-directory", "-o", "install", "run")
    run.read_until(STARTED, START_SECONDS)

    os.kill(run.pid, signal.SIGTERM)

    status = run.finish(STOP_SECONDS)
    assert run.lines()[-1] == STOPPED
    assert_stopped_cleanly(run)
    # GNU make passes SIGTERM on to its recipe, which stops and exits 0 (no "make: *** Error"),
    # then always ends itself by the signal it got: that status is make's own.
    assert status == -signal.SIGTERM
