"""``/v2``: NewsAPI's endpoints, so NewsAPI clients work against Tidings by changing the URL.

Views are thin (schemas are passed as instances: webargs would build a class anew for every
request): parameters are parsed by :mod:`.params` (any case), translated into Tidings'
search request by :mod:`.translate`, run on the API's one search path (:mod:`.running`), and
shaped by :mod:`.shapes`. Every error is answered in NewsAPI's shape (:mod:`.errors`), with
the key checks of :mod:`.auth`; the app's rate limits apply as everywhere else.
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_limiter import RateLimitExceeded

from search_api.limits import rate_limited_problem
from search_api.newsapi import auth, errors, running, shapes
from search_api.newsapi.params import (
    EverythingArgs,
    NewsApiBlueprint,
    NewsRequest,
    SourcesArgs,
    SourcesRequest,
    TopHeadlinesArgs,
)
from search_api.newsapi.sources import NewsSource, all_sources
from search_api.newsapi.translate import plan
from search_api.resources import resources

bp = NewsApiBlueprint(
    "newsapi",
    __name__,
    url_prefix="/v2",
    description="NewsAPI-compatible endpoints (NewsAPI's parameters, responses and error codes).",
)

#: Documented statuses of every /v2 operation (errors in NewsAPI's shape).
ERROR_STATUSES = (400, 401, 429, 503)
#: Headers a browser page may send cross-origin (NewsAPI's key header, its cache opt-out).
CORS_HEADERS = "X-Api-Key, X-No-Cache, Authorization, Content-Type"
#: Security requirements: any one of the ways NewsAPI clients send the key, or none ({}):
#: a key is needed only when the operator configured keys (TIDINGS_API_KEYS).
SECURITY = [{"apiKeyQuery": []}, {"apiKeyHeader": []}, {"bearerAuth": []}, {}]


def _documented(view: Any) -> Any:
    """The shared documentation of a /v2 view: its errors and how keys are sent."""
    for status in ERROR_STATUSES:
        view = bp.alt_response(status, schema=shapes.NewsErrorSchema, description="NewsAPI error")(
            view
        )
    return bp.doc(security=SECURITY)(view)


@bp.before_app_request
def _check_key() -> None:
    # Registered on the app (before the rate limiter's check), so the bucket is the key's.
    if request.blueprint == bp.name and request.method != "OPTIONS":
        auth.check_key()


@bp.after_request
def _cors(resp: Response) -> Response:
    resp.headers["Access-Control-Allow-Origin"] = "*"
    if request.method == "OPTIONS":
        resp.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        resp.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
        resp.headers["Access-Control-Max-Age"] = "86400"
    else:
        resp.headers["Access-Control-Expose-Headers"] = "Retry-After, X-RateLimit-Remaining"
    return resp


@bp.errorhandler(RateLimitExceeded)
def _on_limited(exc: RateLimitExceeded) -> Any:
    limiter = next(iter(current_app.extensions["limiter"]))
    return errors.from_problem(rate_limited_problem(limiter, exc)).response()


@bp.errorhandler(Exception)
def _on_error(exc: Exception) -> Any:
    return errors.response_for(exc)


@bp.get("/everything")
@bp.arguments(EverythingArgs(), location="query", as_kwargs=False)
@bp.response(200, shapes.NewsArticlesSchema)
@_documented
def everything(news: NewsRequest) -> Response:
    """Search every article (NewsAPI's /v2/everything).

    At least one of q, qInTitle, sources or domains. Newest first unless sortBy says
    relevancy or popularity (the number of sources that carried the story).
    """
    return _articles(news)


@bp.get("/top-headlines")
@bp.arguments(TopHeadlinesArgs(), location="query", as_kwargs=False)
@bp.response(200, shapes.NewsArticlesSchema)
@_documented
def top_headlines(news: NewsRequest) -> Response:
    """The newest articles by country, category, sources or query (NewsAPI's /v2/top-headlines)."""
    return _articles(news)


@bp.get("/sources")
@bp.get("/top-headlines/sources")
@bp.arguments(SourcesArgs(), location="query", as_kwargs=False)
@bp.response(200, shapes.NewsSourcesSchema)
@_documented
def sources(wanted: SourcesRequest) -> Response:
    """The sources Tidings holds, by category, language and country (``/v2/sources`` is
    NewsAPI's older name of ``/v2/top-headlines/sources``)."""
    listed = [s.record() for s in all_sources() if _wanted(s, wanted)]
    return jsonify({"status": "ok", "sources": listed})


def _articles(news: NewsRequest) -> Response:
    res = resources()
    run = plan(news, lambda: all_sources(described=False), res.settings.taxonomy)
    total, hits = running.run(run, res.store)
    bodies = {a["id"]: a.get("body") for a in res.store.get_many([h.id for h in hits])}
    articles = [shapes.article({"id": h.id, **h.article}, bodies.get(h.id)) for h in hits]
    return jsonify({"status": "ok", "totalResults": total, "articles": articles})


def _wanted(source: NewsSource, wanted: SourcesRequest) -> bool:
    return all(
        want is None or (have or "").lower() == want
        for want, have in (
            (wanted.category, source.category),
            (wanted.language, source.language),
            (wanted.country, source.country),
        )
    )
