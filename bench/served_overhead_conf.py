"""gunicorn settings of bench/served_overhead.py: the project's (search_api/gunicorn_conf.py),
with the access log off when ``BENCH_ACCESS_LOG=0``."""

import os

from search_api.gunicorn_conf import *  # noqa: F403 - every production setting and hook

if os.environ.get("BENCH_ACCESS_LOG") == "0":
    accesslog = None
