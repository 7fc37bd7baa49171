"""Requests addressed the way the npm ``newsapi`` client addresses a CORS proxy.

That client cannot change its host; its only knob, ``corsProxyUrl``, is put in front of the
full NewsAPI URL: ``new NewsAPI(key, {corsProxyUrl: "https://tidings.example.org/"})`` asks
for ``/https://newsapi.org/v2/everything?...``. Serving those paths as ``/v2/...`` lets such
apps switch to Tidings with that one option. Only ``newsapi.org``'s ``/v2`` paths are mapped.
"""

from __future__ import annotations

import re
from typing import Any

_PROXIED = re.compile(r"^/https?:/{1,2}newsapi\.org(?=/v2/)")


class ProxiedNewsApiPaths:
    """WSGI middleware: ``/https://newsapi.org/v2/...`` is served as ``/v2/...``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/http"):
            environ["PATH_INFO"] = _PROXIED.sub("", path, count=1)
        return self.app(environ, start_response)
