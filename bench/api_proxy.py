"""Idle and slow clients against nginx in front of gunicorn: deploy/nginx.conf, measured.

docker-compose.yml puts nginx (deploy/nginx.conf) in front of the API so that idle and slow
clients wait in nginx, not in gunicorn's threads. There is no Docker here, so this runs the
same file with the machine's nginx on loopback (the upstream ``api:8000`` rewritten to the
gunicorn started here, ``listen`` to a free port; temp files and logs in a tmp dir) and then
the probes of ``bench/api_load.py --idle/--slow`` against nginx::

    TIDINGS_THREADS=4 PYTHONPATH=. .venv/bin/python bench/api_proxy.py --home var \\
        --idle 0,64,256 --slow 64,256

"held per worker" counts gunicorn's connections from nginx, not the clients'.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from bench.api_load import counts, free_port, stall, start_gunicorn, wait_ready

REPO = Path(__file__).resolve().parents[1]


def nginx_conf(tmp: Path, listen: int, upstream: int) -> Path:
    """A whole nginx.conf around deploy/nginx.conf, for an unprivileged run in ``tmp``."""
    server = (REPO / "deploy" / "nginx.conf").read_text()
    server = server.replace("server api:8000;", f"server 127.0.0.1:{upstream};")
    server = server.replace("listen 8000;", f"listen 127.0.0.1:{listen};")
    conf = tmp / "nginx.conf"
    conf.write_text(f"""daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{server}
}}
""")
    return conf


def start_nginx(conf: Path, port: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(conf.parent)])
    log = conf.parent / "nginx-error.log"
    return wait_ready(proc, port, 10, f"nginx did not answer; see {log}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="the home to serve")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--idle", type=counts, default=[], help="idle connections, e.g. 0,64")
    parser.add_argument("--slow", type=counts, default=[], help="slow-header connections")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="tidings-proxy-") as tmp:
        tmpdir = Path(tmp)
        port, proxy_port = free_port(), free_port()
        server = start_gunicorn(args.home, port, args.workers, tmpdir)
        proxy = None
        try:
            proxy = start_nginx(nginx_conf(tmpdir, proxy_port, port), proxy_port)
            for slow, wanted in ((False, args.idle), (True, args.slow)):
                if wanted:
                    stall(proxy_port, server.pid, wanted, slow=slow, server_port=port)
        finally:
            if proxy is not None:
                proxy.send_signal(signal.SIGQUIT)  # graceful
                proxy.wait(timeout=30)
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
