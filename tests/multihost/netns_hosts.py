"""Hosts for the multi-host test: Linux network namespaces on one bridge (root only).

Each host is a network namespace with its own loopback and one veth into a bridge; the test
process itself sits on the bridge too (the operator's machine), so it can reach every host.
Names and the subnet carry this process's id, so runs side by side do not collide.
:meth:`Network.close` kills every process in every namespace and removes them, always.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True)


def can_make_hosts() -> str | None:
    """Why this machine cannot make namespaced hosts, or None when it can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if shutil.which("ip") is None:
        return "no `ip` command (Debian: iproute2)"
    return None


class Network:
    """Namespaced hosts ``names`` on 10.A.B.0/24: host ``i`` is .``i + 2``, the test is .1."""

    def __init__(self, names: list[str]) -> None:
        tag = os.getpid() % 100_000
        self.subnet = f"10.{200 + tag % 50}.{(tag // 50) % 250}"
        self.bridge = f"tdbr{tag}"
        self.netns = {name: f"td{tag}{name}"[:15] for name in names}
        self.ip = {name: f"{self.subnet}.{i + 2}" for i, name in enumerate(names)}
        self.processes: list[subprocess.Popen[Any]] = []

    def open(self) -> Network:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.subnet}.1/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for i, (name, ns) in enumerate(self.netns.items()):
            veth = f"tdv{os.getpid() % 100_000}x{i}"[:15]
            _ip("netns", "add", ns)
            _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
            _ip("link", "set", veth, "master", self.bridge, "up")
            _ip("-n", ns, "addr", "add", f"{self.ip[name]}/24", "dev", "eth0")
            _ip("-n", ns, "link", "set", "eth0", "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        return self

    def spawn(self, host: str, argv: list[str], **popen: Any) -> subprocess.Popen[Any]:
        """Run ``argv`` on ``host`` (in its namespace), in a session of its own."""
        process = subprocess.Popen(
            ["ip", "netns", "exec", self.netns[host], *argv], start_new_session=True, **popen
        )
        self.processes.append(process)
        return process

    def pids(self, host: str) -> list[int]:
        done = subprocess.run(
            ["ip", "netns", "pids", self.netns[host]], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in done.stdout.split()]

    def kill_host(self, host: str) -> int:
        """SIGKILL every process on ``host`` (a machine that dies); how many there were."""
        pids = self.pids(host)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for process in self.processes:
            if process.pid in pids:
                process.wait()
        return len(pids)

    def close(self) -> None:
        """Stop every process (politely, then not), delete the namespaces and the bridge."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        for host, ns in self.netns.items():
            self.kill_host(host)
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True, check=False)
        for leftover in Path("/run/netns").glob(f"td{os.getpid() % 100_000}*"):
            subprocess.run(["ip", "netns", "del", leftover.name], capture_output=True, check=False)

    def __enter__(self) -> Network:
        try:
            return self.open()
        except BaseException:
            self.close()
            raise

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
