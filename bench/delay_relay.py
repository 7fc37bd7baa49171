"""A TCP relay that holds back every reply for a fixed delay: a LAN's round trip, simulated.

Why: ``tc qdisc ... netem delay`` is the usual way, but this machine's kernel has no netem
(``Specified qdisc kind is unknown``; only tbf, htb and pfifo). So a bench client connects to
this relay instead of the server: what the client sends goes straight on, and each chunk the
server sends back is released ``delay_ms`` after it arrived (in order), so every request and
reply exchange takes ``delay_ms`` longer, as a round trip over a switch or two would. The
relay is a process of its own (threads, ``time.sleep``'s sub-millisecond timer), so it costs
some CPU of the same cores; the bench measures the round trip it gives (``SELECT 1``).

    python bench/delay_relay.py LISTEN_HOST LISTEN_PORT SERVER_HOST SERVER_PORT DELAY_MS

prints ``ready`` once it listens and relays until killed.
"""

from __future__ import annotations

import queue
import socket
import socketserver
import sys
import threading
import time


def _forward(source: socket.socket, target: socket.socket) -> None:
    """Client to server: each chunk as it comes."""
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        target.close()


def _forward_late(source: socket.socket, target: socket.socket, delay: float) -> None:
    """Server to client: each chunk ``delay`` seconds after it arrived, in order."""
    held: queue.Queue[tuple[float, bytes]] = queue.Queue()

    def release() -> None:
        try:
            while (item := held.get())[1]:
                time.sleep(max(0.0, item[0] - time.perf_counter()))
                target.sendall(item[1])
        except OSError:
            pass
        finally:
            target.close()

    sender = threading.Thread(target=release, daemon=True)
    sender.start()
    try:
        while data := source.recv(65536):
            held.put((time.perf_counter() + delay, data))
    except OSError:
        pass
    held.put((0.0, b""))
    sender.join()


def serve(listen: tuple[str, int], server: tuple[str, int], delay: float) -> None:
    class Relay(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            upstream = socket.create_connection(server)
            for sock in (self.request, upstream):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=_forward, args=(self.request, upstream), daemon=True).start()
            _forward_late(upstream, self.request, delay)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    with socketserver.ThreadingTCPServer(listen, Relay) as relay:
        relay.daemon_threads = True
        print("ready", flush=True)
        relay.serve_forever()


if __name__ == "__main__":
    host, port, to_host, to_port, delay_ms = sys.argv[1:6]
    serve((host, int(port)), (to_host, int(to_port)), float(delay_ms) / 1000)
