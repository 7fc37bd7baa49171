"""HTTP caching for read-mostly responses (recent lists, feeds): ETag and Cache-Control.

Recent lists and feeds change only when the crawler commits, so short-lived caching plus
conditional GETs let proxies and feed readers absorb most of the load.
"""

from __future__ import annotations

from flask import Response, request

DEFAULT_MAX_AGE = 60


def cacheable(resp: Response, max_age: int = DEFAULT_MAX_AGE) -> Response:
    """Add a strong ETag and Cache-Control; answer 304 when the client's copy is current."""
    resp.headers["Cache-Control"] = f"public, max-age={max_age}"
    resp.add_etag()
    return resp.make_conditional(request)
