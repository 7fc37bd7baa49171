"""Tidings' web service: JSON search API, feeds, health check and the analyst page.

``create_app`` is the only entry point; it reads through :mod:`tidings.core` alone (never the
crawler, classifier or CLI), so the API can be deployed without the crawling stack's weight.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException

from search_api.problems import INDEX_UNAVAILABLE, Problem, problem_response
from search_api.resources import Resources, init_app
from tidings.core.config import Settings
from tidings.core.index.base import IndexBackend, IndexUnavailable

__all__ = ["create_app"]

log = logging.getLogger(__name__)

#: Machine paths: their errors are always problem JSON. Elsewhere a browser gets an HTML page.
MACHINE_PREFIXES = ("/api/", "/feeds/", "/healthz", "/static/")


def create_app(
    settings: Settings | None = None,
    *,
    index: IndexBackend | None = None,
    store: Any | None = None,
) -> Flask:
    """Build the app; the index (read-only) and the store open on first use, once per app.

    Pass ``index``/``store`` to share already-open ones (e.g. ``tidings demo``); the app then
    leaves closing them to the caller.
    """
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented field order
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # the API is read-only: no big bodies
    init_app(app, Resources(settings or Settings.from_env(), index, store))

    from search_api import api, feeds, health, pages

    for module in (api, feeds, health, pages):
        app.register_blueprint(module.bp)
    _register_errors(app)
    return app


def _register_errors(app: Flask) -> None:
    @app.errorhandler(Problem)
    def on_problem(problem: Problem) -> Any:
        return _respond(problem)

    @app.errorhandler(IndexUnavailable)
    def on_unavailable(exc: IndexUnavailable) -> Any:
        # e.g. the Elasticsearch cluster went away mid-request: the operator's problem, not a 500
        return _respond(
            Problem(
                503,
                detail=f"the search index is not available: {exc}",
                type=INDEX_UNAVAILABLE,
                headers={"Retry-After": "30"},
            )
        )

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException) -> Any:
        headers = {}
        allow = exc.get_response().headers.get("Allow")
        if allow:
            headers["Allow"] = allow
        return _respond(Problem(exc.code or 500, detail=exc.description, headers=headers))

    @app.errorhandler(Exception)
    def on_error(exc: Exception) -> Any:
        log.exception("unhandled error on %s", request.path)
        return _respond(Problem(500, detail="an internal error occurred; it has been logged"))


def _respond(problem: Problem) -> Any:
    machine = request.path.startswith(MACHINE_PREFIXES)
    if not machine and "text/html" in request.accept_mimetypes.values():
        body = problem.to_dict()
        page = render_template(
            "error.html", status=problem.status, title=body["title"], detail=problem.detail
        )
        return page, problem.status, problem.headers
    return problem_response(problem)
