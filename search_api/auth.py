"""API keys for the write and admin endpoints.

Keys come from ``TIDINGS_API_KEYS`` (comma-separated) and/or a file named by
``TIDINGS_API_KEYS_FILE`` (one key per line, ``#`` comments). A client sends one as
``Authorization: Bearer KEY`` or ``X-API-Key: KEY``: none is a 401, a wrong one a 403.
Keys are compared in constant time and never logged; a key's id is a short hash of it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from flask import current_app, g, request

from search_api.problems import API_KEY, Problem

F = TypeVar("F", bound=Callable[..., Any])
CONFIG_KEY = "TIDINGS_API_KEYS"


def load_keys(listed: str | None, file: Path | None = None) -> tuple[str, ...]:
    """The configured keys: a comma-separated list and/or a file of one key per line with
    ``#`` comments (empty: every write is refused)."""
    keys = [k.strip() for k in (listed or "").split(",")]
    if file:
        for line in Path(file).read_text(encoding="utf-8").splitlines():
            keys.append(line.split("#", 1)[0].strip())
    return tuple(dict.fromkeys(k for k in keys if k))


def key_id(key: str) -> str:
    """A stable, non-secret name for a key (rate-limit buckets, logs)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def presented_key() -> str | None:
    """The key the request carries, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("X-API-Key", "").strip() or None


def valid_key(key: str | None, keys: Iterable[str]) -> bool:
    if not key:
        return False
    given = key.encode("utf-8")
    return any(hmac.compare_digest(given, k.encode("utf-8")) for k in keys)


def authenticated_key() -> str | None:
    """The request's key if it is a configured one (cached per request), else None."""
    if "api_key" not in g:
        key = presented_key()
        g.api_key = key if valid_key(key, current_app.config.get(CONFIG_KEY, ())) else None
    return g.api_key


def require_api_key(view: F) -> F:
    """Refuse the request with 401 (no key) or 403 (a key that is not configured)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if presented_key() is None:
            raise Problem(
                401,
                detail="this endpoint needs an API key: send 'Authorization: Bearer KEY' "
                "or 'X-API-Key: KEY'",
                type=API_KEY,
                headers={"WWW-Authenticate": 'Bearer realm="tidings"'},
            )
        if authenticated_key() is None:
            detail = "the API key is not valid"
            if not current_app.config.get(CONFIG_KEY):
                detail += " (no keys are configured: set TIDINGS_API_KEYS)"
            raise Problem(403, detail=detail, type=API_KEY)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
