"""Tidings' web service: JSON search API, feeds, health check and the analyst page.

``create_app`` is the only entry point; it reads through :mod:`tidings.core` alone (never the
crawler, classifier or CLI), so the API can be deployed without the crawling stack's weight.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from search_api import config as api_config
from search_api.caching import CachePolicy, init_response_cache
from search_api.problems import INDEX_UNAVAILABLE, Problem, allow_header, problem_response
from search_api.resources import Resources, StoreUnavailable, init_app
from tidings.core.config import Settings
from tidings.core.index.base import IndexBackend, IndexUnavailable

__all__ = ["create_app"]

log = logging.getLogger(__name__)

#: Machine paths: their errors are always problem JSON. Elsewhere a browser gets an HTML page.
#: NewsAPI's routes: their errors are in NewsAPI's shape (search_api.newsapi.errors).
NEWSAPI_PREFIX = "/v2/"
MACHINE_PREFIXES = ("/api/", "/v2/", "/feeds/", "/healthz", "/readyz", "/metrics", "/static/")


def create_app(
    settings: Settings | None = None,
    *,
    index: IndexBackend | None = None,
    store: Any | None = None,
    config: Mapping[str, Any] | None = None,
) -> Flask:
    """Build the app; the index (read-only) and the store open on first use, once per app.

    Pass ``index``/``store`` to share already-open ones (e.g. ``tidings demo``); the app then
    leaves closing them to the caller. ``config`` overrides the Flask config read from
    ``TIDINGS_*`` variables (API keys, rate limits: see :mod:`search_api.config`).
    """
    app = Flask(__name__)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented field order
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024  # requests are small: no big bodies
    app.config.update(api_config.from_env())
    app.config.update(config or {})
    res = Resources(settings or Settings.from_env(), index, store)
    init_app(app, res)
    if app.config["TIDINGS_TRUSTED_PROXIES"]:
        n = app.config["TIDINGS_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    from search_api import (
        admin,
        api,
        apidocs,
        catalog,
        feeds,
        health,
        pages,
        stories,
        story_pages,
        widget,
    )
    from search_api.cors import init_cors
    from search_api.limits import init_limits
    from search_api.metrics import init_metrics
    from search_api.newsapi import views as newsapi_views
    from search_api.newsapi.proxy_path import ProxiedNewsApiPaths
    from search_api.openapi import init_openapi
    from search_api.public_url import init_public_url

    init_metrics(app, res)  # first: its timer wraps everything registered after it
    init_openapi(
        app,
        [api.bp, stories.bp, stories.feeds_bp, catalog.bp, admin.bp, health.bp, newsapi_views.bp],
    )
    app.wsgi_app = ProxiedNewsApiPaths(app.wsgi_app)  # type: ignore[method-assign]
    for module in (feeds, pages, story_pages, apidocs, widget):
        app.register_blueprint(module.bp)
    init_cors(app)
    init_public_url(app)
    init_limits(app, admin=[admin.bp])
    init_response_cache(app, _cache_policy(app))  # after the limiter: limits apply to hits too
    _register_errors(app)
    return app


#: Endpoints whose responses are the same for everyone until the index changes.
CACHED_ENDPOINTS = ("api.recent", "catalog.topics", "catalog.sources")


def _cache_policy(app: Flask) -> Callable[[str], CachePolicy | None]:
    """Which endpoints the response cache keeps, and for how long (from the app's config)."""
    lists = CachePolicy(float(app.config["TIDINGS_RESPONSE_CACHE_SECONDS"]))
    searches = CachePolicy(float(app.config["TIDINGS_SEARCH_CACHE_SECONDS"]), per_commit_only=True)

    def policy(endpoint: str) -> CachePolicy | None:
        if endpoint == "api.search":
            return searches
        if endpoint in CACHED_ENDPOINTS or endpoint.startswith("feeds."):
            return lists
        return None

    return policy


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

    @app.errorhandler(StoreUnavailable)
    def on_store_unavailable(exc: StoreUnavailable) -> Any:
        log.error("the store cannot be opened: %s", exc)
        return _respond(
            Problem(503, detail="the store is not available", headers={"Retry-After": "30"})
        )

    @app.errorhandler(HTTPException)
    def on_http(exc: HTTPException) -> Any:
        if request.path.startswith(NEWSAPI_PREFIX) and exc.code != 404:
            # a route of /v2 refused before its blueprint saw it (405): NewsAPI's shape
            from search_api.newsapi.errors import response_for

            return response_for(exc)
        return _respond(Problem(exc.code or 500, detail=exc.description, headers=allow_header(exc)))

    @app.errorhandler(Exception)
    def on_error(exc: Exception) -> Any:
        log.exception("unhandled error on %s", request.path)
        return _respond(Problem(500, detail="an internal error occurred; it has been logged"))


def _respond(problem: Problem) -> Any:
    machine = request.path.startswith(MACHINE_PREFIXES)
    if not machine and "text/html" in request.accept_mimetypes.values():
        return render_template("error.html", error=problem), problem.status, problem.headers
    return problem_response(problem)
