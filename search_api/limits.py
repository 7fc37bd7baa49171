"""Rate limits per API key (or client address) with Flask-Limiter: 429 problems with Retry-After.

Storage is ``memory://`` by default (each gunicorn worker counts on its own, so the effective
limit is per worker); set ``TIDINGS_RATELIMIT_STORAGE=redis://host:6379`` to share counts.
Health checks, metrics and static files are never limited.
"""

from __future__ import annotations

import math
import time
from typing import Any

from flask import Blueprint, Flask, request
from flask_limiter import Limiter, RateLimitExceeded
from limits.storage import MemoryStorage

from search_api.auth import authenticated_key, key_id
from search_api.problems import RATE_LIMITED, Problem, problem_response

EXEMPT_PREFIXES = ("/healthz", "/readyz", "/metrics", "/static/")


class LeanMemoryStorage(MemoryStorage):
    """``memory://`` that sweeps expired counters at most once a second.

    limits' MemoryStorage starts a sweeper thread on almost every hit (about half a
    millisecond each); expired counters are also dropped when read, so sweeping is only
    about memory and can wait.
    """

    STORAGE_SCHEME = ["tidings-memory"]
    SWEEP_EVERY = 1.0

    def __init__(self, uri: str | None = None, **options: Any) -> None:
        self._last_sweep = 0.0
        super().__init__(uri, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides a private name
        now = time.monotonic()
        if now - self._last_sweep >= self.SWEEP_EVERY:
            self._last_sweep = now
            super()._MemoryStorage__schedule_expiry()  # type: ignore[misc]


def client_key() -> str:
    """The bucket of a request: its valid API key's id, else the client's address."""
    key = authenticated_key()
    return f"key:{key_id(key)}" if key else f"ip:{request.remote_addr or 'unknown'}"


def init_limits(app: Flask, admin: list[Blueprint]) -> Limiter:
    """A limiter for ``app`` (one per app); ``admin`` blueprints get the stricter admin rate."""
    limiter = Limiter(
        client_key,
        app=app,
        application_limits=[app.config["TIDINGS_RATELIMIT"]],  # one budget across endpoints
        storage_uri=_storage_uri(app.config["RATELIMIT_STORAGE_URI"]),
        headers_enabled=False,  # headers are added to 429s only (see below), not cached pages
        strategy="fixed-window",
    )
    limiter.request_filter(lambda: request.path.startswith(EXEMPT_PREFIXES))
    for bp in admin:
        limiter.limit(app.config["TIDINGS_RATELIMIT_ADMIN"])(bp)

    @app.errorhandler(RateLimitExceeded)
    def on_limited(exc: RateLimitExceeded) -> Any:
        return problem_response(rate_limited_problem(limiter, exc))

    return limiter


def _storage_uri(uri: str) -> str:
    return "tidings-memory://" if uri.startswith("memory://") else uri


def rate_limited_problem(limiter: Limiter, exc: RateLimitExceeded) -> Problem:
    """The 429 for ``exc``: ``Retry-After`` and ``X-RateLimit-*`` from the limit hit."""
    current = limiter.current_limit
    headers: dict[str, str] = {}
    retry = 1
    if current is not None:
        retry = max(1, math.ceil(current.reset_at - time.time()))
        headers.update(
            {
                "X-RateLimit-Limit": str(current.limit.amount),
                "X-RateLimit-Remaining": str(max(0, current.remaining)),
                "X-RateLimit-Reset": str(current.reset_at),
            }
        )
    headers["Retry-After"] = str(retry)
    return Problem(
        429,
        detail=f"rate limit of {exc.description} exceeded; retry in {retry} s",
        type=RATE_LIMITED,
        headers=headers,
    )
