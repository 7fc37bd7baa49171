"""``/healthz``: is the index readable, and how many articles does it hold.

Load balancers and ``tidings serve`` tests poll it; it answers 503 (not 500) when the index is
missing or broken, so an operator sees why in the body.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify

from search_api.resources import IndexUnavailable, resources

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    res = resources()
    articles: int | None = None
    try:
        index = res.index
        health: dict[str, Any] = dict(index.health())
        if health.get("status") != "error":
            articles = index.count()
    except IndexUnavailable as exc:
        health = {"status": "error", "backend": res.settings.index_backend, "error": str(exc)}
    except Exception as exc:  # a broken backend is an unhealthy service, not a crash
        health = {
            "status": "error",
            "backend": res.settings.index_backend,
            "error": f"{type(exc).__name__}: {exc}",
        }
    ok = health.get("status") != "error"
    body = {"status": "ok" if ok else "error", "index": health, "articles": articles}
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "no-store"
    return resp, 200 if ok else 503
