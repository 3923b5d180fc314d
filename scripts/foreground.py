"""Run a command as the terminal's foreground process group, so that Ctrl-C reaches the
command and not the `make` that started it: `python3 scripts/foreground.py bash scripts/run.sh`.

The terminal sends Ctrl-C's SIGINT to its whole foreground group. GNU make, when it gets one,
waits for its recipe and then kills itself with the same signal, so `make run` ended with
status 130 however cleanly scripts/run.sh stopped. In a group of its own that the terminal
signals instead of make's, the command alone hears Ctrl-C, and make sees it exit 0. The
terminal goes back to make's group afterwards. Without a terminal (a pipe, CI) nothing moves.
Standard library only: the system's python3 runs it.
"""

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Sequence


def main(command: Sequence[str]) -> int:
    terminal = sys.stdin.fileno()
    if not os.isatty(terminal) or os.tcgetpgrp(terminal) != os.getpgrp():  # no terminal, or in the background
        os.execvp(command[0], list(command))  # noqa: S606 - the command is make's own recipe
    make_group = os.getpgrp()
    # Ctrl-C is the command's to handle, from the moment the terminal is ours (exec resets this).
    signal.signal(signal.SIGINT, lambda *_: None)
    os.setpgid(0, 0)
    _hand_terminal(terminal, os.getpgrp())
    try:
        return _run(command)
    finally:
        _hand_terminal(terminal, make_group)


def _run(command: Sequence[str]) -> int:
    """The command's status; SIGTERM is passed on to it."""
    child: subprocess.Popen | None = None
    asked_to_stop = False

    def stop(*_) -> None:
        nonlocal asked_to_stop
        asked_to_stop = True
        if child is not None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    child = subprocess.Popen(command)
    if asked_to_stop:  # SIGTERM came while it was starting
        child.terminate()
    status = child.wait()
    return 128 - status if status < 0 else status  # killed by signal N: the shell's 128 + N


def _hand_terminal(terminal: int, group: int) -> None:
    """A background group may take the terminal only with SIGTTOU ignored (it would stop us)."""
    previous = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    try:
        with contextlib.suppress(OSError):  # the terminal or make's group is gone: nobody to hand it to
            os.tcsetpgrp(terminal, group)
    finally:
        signal.signal(signal.SIGTTOU, previous)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
