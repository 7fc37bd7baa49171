"""NewsAPI's error shape: ``{"status": "error", "code": ..., "message": ...}``.

Only NewsAPI's documented codes are used, with the statuses NewsAPI gives them (400, 401,
429), so clients that branch on ``code`` keep working. Errors raised by the shared parts of the
app (problem documents, rate limits, an index that is down) are re-shaped here, for the
``/v2`` endpoints only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from search_api.problems import Problem, allow_header
from search_api.resources import StoreUnavailable
from tidings.core.index.base import IndexUnavailable

log = logging.getLogger(__name__)

#: NewsAPI's documented error codes and the HTTP status each comes with.
CODES = {
    "apiKeyDisabled": 401,
    "apiKeyExhausted": 429,
    "apiKeyInvalid": 401,
    "apiKeyMissing": 401,
    "parameterInvalid": 400,
    "parametersMissing": 400,
    "rateLimited": 429,
    "sourcesTooMany": 400,
    "sourceDoesNotExist": 400,
    "unexpectedError": 500,
}


@dataclass(eq=False)
class NewsApiError(Exception):
    """An error answered in NewsAPI's shape; raise it from any ``/v2`` view."""

    code: str
    message: str
    status: int = 0  # 0: the status NewsAPI gives ``code``
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"not a NewsAPI error code: {self.code}")
        self.status = self.status or CODES[self.code]

    def response(self) -> Response:
        resp = jsonify({"status": "error", "code": self.code, "message": self.message})
        resp.status_code = self.status
        resp.headers.update(self.headers)
        resp.headers["Cache-Control"] = "no-store"
        return resp


#: How long a client waits before asking again when the index or store is unavailable.
RETRY = {"Retry-After": "30"}


def invalid(message: str) -> NewsApiError:
    return NewsApiError("parameterInvalid", message)


def from_problem(problem: Problem) -> NewsApiError:
    """A problem raised by the shared search path (a query the index refuses, a 503...)."""
    message = problem.detail or problem.title or "the request cannot be answered"
    if problem.status == 429:
        return NewsApiError("rateLimited", message, headers=problem.headers)
    if 400 <= problem.status < 500:
        return invalid(message)
    # The index is down: NewsAPI has no code of its own for it; its status stays 503.
    return NewsApiError("unexpectedError", message, status=problem.status, headers=problem.headers)


def from_http(exc: HTTPException) -> NewsApiError:
    """Werkzeug errors on a ``/v2`` route (a method other than GET, a body that is too big)."""
    status = exc.code or 400
    message = exc.description or "the request cannot be answered"
    if status >= 500:
        log.error("HTTP %s on a NewsAPI route: %s", status, message)
        return NewsApiError("unexpectedError", message, status=status)
    return NewsApiError("parameterInvalid", message, status=status, headers=allow_header(exc))


def from_unavailable(exc: IndexUnavailable) -> NewsApiError:
    return NewsApiError(
        "unexpectedError",
        f"the search index is not available: {exc}",
        status=503,
        headers=RETRY,
    )


def response_for(exc: Exception) -> Any:
    """The NewsAPI-shaped response for anything a ``/v2`` view raised."""
    if isinstance(exc, NewsApiError):
        return exc.response()
    if isinstance(exc, Problem):
        return from_problem(exc).response()
    if isinstance(exc, IndexUnavailable):
        return from_unavailable(exc).response()
    if isinstance(exc, StoreUnavailable):  # as the rest of the API answers it: 503, not 500
        log.error("the store cannot be opened: %s", exc)
        message = "the store is not available"
        return NewsApiError("unexpectedError", message, status=503, headers=RETRY).response()
    if isinstance(exc, HTTPException):
        return from_http(exc).response()
    log.exception("unhandled error on a NewsAPI route", exc_info=exc)
    message = "an internal error occurred; it has been logged"
    return NewsApiError("unexpectedError", message).response()
