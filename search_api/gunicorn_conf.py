"""gunicorn settings for production: ``gunicorn -c python:search_api.gunicorn_conf
'search_api:create_app()'`` (or ``-c search_api/gunicorn_conf.py``).

Every value can be changed with an environment variable. Workers do not preload the app: each
opens its own read-only tantivy reader and SQLite connection after the fork, which is cheap and
avoids sharing file handles across processes. Prometheus metrics run in multiprocess mode: the
samples of all workers are kept in ``PROMETHEUS_MULTIPROC_DIR`` (wiped at start, a dead
worker's files marked by ``child_exit``), so a scrape of any worker sees them all.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from search_api import server_errors
from search_api.config import from_env
from tidings.core.config import Settings
from tidings.core.environment import read_environment

_env = read_environment()
from_env()  # the app's own settings too: a bad one stops gunicorn here in one line, not per worker
Settings.from_env().make_home()  # the home too: not a directory or not creatable stops here
server_errors.install_in_gunicorn()  # what gunicorn refuses itself (too long...): a problem too

bind = _env["TIDINGS_BIND"]
#: CPU-bound work (search, JSON): about one process per core. gthread hands every new
#: connection to a pool thread, which holds it until the request is read (up to 5 s for the
#: first byte, then as long as a slow client keeps sending): so many threads (256 by default)
#: that idle browsers and slow clients cannot take them all. Idle threads cost no CPU; the pool
#: starts them only when no other is free. A buffering proxy in front (docker-compose.yml's
#: nginx) takes such clients off gunicorn entirely.
workers = _env["TIDINGS_WORKERS"]
worker_class = "gthread"
threads = _env["TIDINGS_THREADS"]
worker_connections = 1000  # per worker, kept-alive ones included
backlog = 2048
timeout = _env["TIDINGS_TIMEOUT"]  # a worker silent this long is restarted
graceful_timeout = 20
keepalive = 5
preload_app = False  # a tantivy reader per worker is fine; nothing to share before the fork
#: Recycle workers now and then so that slow growth never reaches the 300 MB per-worker budget.
max_requests = _env["TIDINGS_MAX_REQUESTS"]
max_requests_jitter = max_requests // 10
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # gunicorn's own name
accesslog = _env["TIDINGS_ACCESS_LOG"]
errorlog = "-"
loglevel = _env["TIDINGS_LOG_LEVEL"]
#: Client, request line, status, bytes, time in microseconds, referrer and user agent.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s"'
proc_name = "tidings-api"

_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or str(
    _env["TIDINGS_HOME"] / "run" / "prometheus"
)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = _metrics_dir  # set before any worker imports the client


def on_starting(server: Any) -> None:
    """Start with an empty metrics directory: samples of a previous run must not count."""
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    Path(_metrics_dir).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """Mark a dead worker's live gauges as gone (its counters stay in the totals)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
