"""CORS for the public read endpoints: any origin may GET them (they carry no credentials).

Write and admin endpoints get no CORS headers, so browsers on other sites cannot call them;
preflights for the public ones allow only GET and the caching headers.
"""

from __future__ import annotations

from flask import Flask, Response, request

PUBLIC_PREFIXES = ("/api/v1/", "/feeds/")
EXPOSED = "ETag, Last-Modified, Retry-After, Link, X-RateLimit-Limit, X-RateLimit-Remaining"


def init_cors(app: Flask) -> None:
    @app.after_request
    def allow_any_origin(resp: Response) -> Response:
        if not request.path.startswith(PUBLIC_PREFIXES):
            return resp
        if request.method in ("GET", "HEAD"):
            resp.headers["Access-Control-Allow-Origin"] = "*"
            resp.headers["Access-Control-Expose-Headers"] = EXPOSED
        elif request.method == "OPTIONS" and "GET" in resp.headers.get("Allow", ""):
            resp.headers["Access-Control-Allow-Origin"] = "*"
            resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            resp.headers["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since"
            resp.headers["Access-Control-Max-Age"] = "86400"
        return resp
