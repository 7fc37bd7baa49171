"""Where a served request's CPU goes beyond the app's: the same paths through the app's WSGI
callable in this process and served by gunicorn, CPU a request, optionally spaced out.

``bench/api_load.py --in-process`` times the app through Flask's test client, and its open loop
the workers' CPU a search; the two differ by more than gunicorn's code. This script separates
the parts, over the same paths, one request at a time (no concurrency):

- ``app``: the app's WSGI callable called directly with an environ built once a path (no test
  client, no HTTP): the app's own CPU;
- ``served``: gunicorn with the project's settings (``search_api/gunicorn_conf.py``), one
  worker, one keep-alive client sending the paths in turn: the worker's CPU (user + system,
  every thread) a request; ``--no-access-log`` turns gunicorn's access log off;
- ``floor``: the same gunicorn serving a WSGI app that answers two bytes: gthread's hand-offs,
  HTTP parsing and writing, and the access log, with nothing of Tidings;
- ``--gap S``: sleep S seconds after each request (in every mode), as requests arriving apart
  do: the same work then costs more CPU than back to back (caches, idle cores).

    .venv/bin/python bench/served_overhead.py --home HOME --modes app,served,floor [--gap 0.01]
    .venv/bin/python bench/served_overhead.py --home HOME --paths /healthz "/api/v1/search?q=w1"

Paths default to the open-loop mix (``api_load.search_mix``); caches are off, as in the open
loop. Prints one JSON line: CPU ms a request per mode, the load average, the time.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import api_load  # noqa: E402

CONF = Path(__file__).resolve().with_name("served_overhead_conf.py")


def two_bytes(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """The floor's WSGI app: nothing of Tidings, the smallest JSON answer."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def paced(paths: list[str], rounds: int, gap: float, send: Callable[[str], None]) -> float:
    """``send`` each path ``rounds`` times in turn, ``gap`` s apart; how many were sent."""
    for _ in range(rounds):
        for path in paths:
            send(path)
            if gap:
                time.sleep(gap)
    return float(rounds * len(paths))


def in_app(app: Any, paths: list[str], rounds: int, gap: float) -> float:
    """CPU ms a request of the app's WSGI callable, environs built beforehand."""
    from werkzeug.test import EnvironBuilder

    environs = {
        p: EnvironBuilder(
            path=p.partition("?")[0], query_string=p.partition("?")[2],
            base_url="http://127.0.0.1:8000",
        ).get_environ()
        for p in paths
    }  # fmt: skip

    def send(path: str) -> None:
        body = app.wsgi_app(dict(environs[path]), lambda status, headers, exc=None: None)
        b"".join(body)
        getattr(body, "close", lambda: None)()

    paced(paths, 1, 0.0, send)  # warm up
    cpu = time.process_time()
    n = paced(paths, rounds, gap, send)
    return (time.process_time() - cpu) * 1000 / n


def in_gunicorn(
    home: Path, tmp: Path, app: str, paths: list[str], rounds: int, gap: float, access_log: bool
) -> float:
    """The worker's CPU ms a request: gunicorn with the project's settings, one worker."""
    port = api_load.free_port()
    env = {
        **os.environ, **api_load.server_env(home, tmp), "TIDINGS_BIND": f"127.0.0.1:{port}",
        "TIDINGS_WORKERS": "1", "BENCH_ACCESS_LOG": "1" if access_log else "0",
        # the floor's app is this module
        "PYTHONPATH": os.pathsep.join([str(CONF.parent), os.environ.get("PYTHONPATH", "")]),
    }  # fmt: skip
    with open(tmp / "error.log", "ab") as errors:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(CONF), app],
            cwd=api_load.REPO, env=env, stdout=subprocess.DEVNULL, stderr=errors,
        )  # fmt: skip
    try:
        api_load.wait_ready(proc, port, 60, f"gunicorn did not answer; see {tmp / 'error.log'}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def send(path: str) -> None:
            conn.request("GET", path)
            resp = conn.getresponse()
            resp.read()
            if resp.status != 200:
                raise SystemExit(f"{path} answered {resp.status}")

        paced(paths, 1, 0.0, send)  # warm up
        before = api_load.workers_cpu_s(proc.pid)
        n = paced(paths, rounds, gap, send)
        used = api_load.cpu_between(before, api_load.workers_cpu_s(proc.pid))
        if used is None:
            raise SystemExit("the worker was replaced during the run")
        return used * 1000 / n
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a home with an index")
    parser.add_argument("--modes", default="app,served,floor", help="app, served, floor")
    parser.add_argument("--paths", nargs="+", help="paths (default: the open-loop search mix)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the paths")
    parser.add_argument("--gap", type=float, default=0.0, help="seconds after each request")
    parser.add_argument("--no-access-log", action="store_true", help="gunicorn logs nothing")
    args = parser.parse_args(argv)
    modes = args.modes.split(",")
    os.environ.update(TIDINGS_SEARCH_CACHE_SECONDS="0", TIDINGS_RESPONSE_CACHE_SECONDS="0")
    out: dict[str, Any] = {
        "at": time.strftime("%H:%M:%S", time.gmtime()), "load": os.getloadavg()[0],
        "gap": args.gap, "access_log": not args.no_access_log,
    }  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="served-overhead-") as tmp:
        tmpdir = Path(tmp)
        (tmpdir / "prometheus").mkdir()
        os.environ.update(api_load.server_env(args.home, tmpdir))
        from search_api import create_app

        app = create_app()
        if args.paths:
            paths = args.paths
        else:
            client = app.test_client()
            mix = api_load.search_mix(lambda path: client.get(path).get_json(), seed=1)
            paths = [path for kind in mix.values() for path in kind]
        out["paths"] = len(paths)
        log = not args.no_access_log
        if "app" in modes:
            out["app_ms"] = in_app(app, paths, args.rounds, args.gap)
        if "served" in modes:
            served = "search_api:create_app()"
            out["served_ms"] = in_gunicorn(
                args.home, tmpdir, served, paths, args.rounds, args.gap, log
            )
        if "floor" in modes:
            floor = "served_overhead:two_bytes"
            out["floor_ms"] = in_gunicorn(
                args.home, tmpdir, floor, ["/"], args.rounds * len(paths), args.gap, log
            )
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
