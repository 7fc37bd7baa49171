"""``/healthz`` (is the index readable, how many articles) and ``/readyz`` (can we serve now).

Load balancers and ``tidings serve`` tests poll them; they answer 503 (not 500) when the index
or the store is missing or broken, so an operator sees why in the body.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from flask import Response, jsonify

from search_api.openapi import ApiBlueprint
from search_api.resources import IndexUnavailable, resources
from search_api.schemas import HealthSchema, ReadySchema

bp = ApiBlueprint("health", __name__, description="Liveness and readiness for load balancers.")


@bp.get("/healthz")
@bp.response(200, HealthSchema)
@bp.alt_response(503, schema=HealthSchema, description="The index cannot be read.")
def healthz() -> tuple[Response, int]:
    """Is the index readable, and how many articles does it hold."""
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
    return _no_store(jsonify(body)), 200 if ok else 503


@bp.get("/readyz")
@bp.response(200, ReadySchema)
@bp.alt_response(503, schema=ReadySchema, description="The index or the store cannot answer.")
def readyz() -> tuple[Response, int]:
    """Ready to serve: the index opens and counts, and the store answers a query."""
    res = resources()
    checks = {
        "index": _check(lambda: res.index.count()),
        "store": _check(lambda: res.store.count()),
    }
    ok = all(c["status"] == "ok" for c in checks.values())
    body = {"status": "ready" if ok else "not ready", "checks": checks}
    return _no_store(jsonify(body)), 200 if ok else 503


def _check(probe: Callable[[], int]) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        count = probe()
    except Exception as exc:  # any failure means "not ready", with the reason
        return {"status": "error", "error": f"{type(exc).__name__}: {exc}"}
    ms = round((time.perf_counter() - start) * 1000, 2)
    return {"status": "ok", "articles": count, "ms": ms}


def _no_store(resp: Response) -> Response:
    resp.headers["Cache-Control"] = "no-store"
    return resp
