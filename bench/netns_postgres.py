"""A PostgreSQL server on another (simulated) host, for benches that measure the network's share.

Two Linux network namespaces on one bridge (:class:`tests.multihost.netns_hosts.Network`, the
multi-host test's hosts; root only): ``db`` runs ``tidings dev postgres`` on its own address,
``client`` runs the bench's command, so every statement crosses a veth pair and the bridge
instead of loopback. ``delay_ms`` makes each round trip that much longer (1 ms: a LAN switch
or two) with :mod:`bench.delay_relay` on the client host, in front of the server: this
machine's kernel has no ``netem`` qdisc, which would be the usual way.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.multihost.netns_hosts import Network, can_make_hosts

REPO = Path(__file__).resolve().parent.parent
PORT = 5432
RELAY_PORT = 6432  # on the client host's loopback

__all__ = ["can_make_hosts", "server_on_another_host"]


@contextmanager
def server_on_another_host(python: str, delay_ms: float = 0.0) -> Iterator[tuple[Network, str]]:
    """The hosts and the server's admin URL (database ``postgres``), until the block ends;
    run the client side with ``network.spawn("client", argv)``."""
    with Network(["db", "client"]) as network:
        server = network.spawn(
            "db",
            [python, "-m", "tidings", "dev", "postgres", "--host", network.ip["db"],
             "--port", str(PORT)],
            cwd=REPO, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert server.stdout is not None
        url = server.stdout.readline().strip()  # printed once the server accepts connections
        if not url.startswith("postgresql://"):
            raise RuntimeError(f"the server on the db host did not start (exit {server.poll()})")
        if delay_ms:
            relay = network.spawn(
                "client",
                [python, str(REPO / "bench" / "delay_relay.py"), "127.0.0.1", str(RELAY_PORT),
                 network.ip["db"], str(PORT), str(delay_ms)],
                stdout=subprocess.PIPE, text=True,
            )  # fmt: skip
            assert relay.stdout is not None
            if relay.stdout.readline().strip() != "ready":
                raise RuntimeError(f"the delaying relay did not start (exit {relay.poll()})")
            url = url.replace(f"@{network.ip['db']}:{PORT}/", f"@127.0.0.1:{RELAY_PORT}/")
        yield network, url.rsplit("/", 1)[0] + "/postgres"
