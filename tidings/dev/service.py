"""What every throwaway local server (PostgreSQL, Elasticsearch...) does alike.

Why: a dev/test server is one process group started from a temporary folder, maybe as an
unprivileged account, that must never outlive the process that started it; killing it must take
its helpers too, and its log's tail explains a failed start. Subclasses say how to prepare the
folder, how to tell it is ready, and how to stop it cleanly.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Self


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalService:
    """One server process group with its own work folder; a context manager that stops it."""

    #: The file in :attr:`workdir` that gets the server's console output.
    log_name = "server.log"

    def __init__(self) -> None:
        self.workdir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self, timeout: float = 30.0) -> None:
        raise NotImplementedError

    def _spawn(
        self, command: list[str], *, env: dict[str, str] | None, account: tuple[int, int] | None
    ) -> None:
        """Start ``command`` in its own session (so signals reach its helpers), logging into
        :attr:`log_name`, as ``account`` (uid, gid) when given, killed at exit at the latest."""
        assert self.workdir is not None
        log = (self.workdir / self.log_name).open("ab")
        self.process = subprocess.Popen(
            command,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=account[0] if account else None,
            group=account[1] if account else None,
            extra_groups=[] if account else None,
        )
        log.close()
        atexit.register(self.kill)

    def _halt(self, sig: signal.Signals, timeout: float) -> None:
        """Send ``sig`` (the server's clean-shutdown signal), SIGKILL after ``timeout``."""
        if self.process is not None:
            self._signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
            self.process = None
        atexit.unregister(self.kill)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's console output (for start-up failures)."""
        if self.workdir is None or not (self.workdir / self.log_name).exists():
            return ""
        text = (self.workdir / self.log_name).read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _signal(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)

    def kill(self) -> None:
        """SIGKILL the server's process group (a crash: no shutdown hooks); data stays."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
