"""The web service's own settings (keys, rate limits, caches), read from ``TIDINGS_*`` variables.

They become Flask config values, so tests and embedders override them with
``create_app(config={...})``.
"""

from __future__ import annotations

import os
from typing import Any

from search_api.auth import load_keys
from search_api.public_url import parse_public_url
from tidings.core.hosts import parse_host_list

#: Per API key (or client address when none) on every rate-limited endpoint.
DEFAULT_RATE = "1200 per minute"
#: Write and admin endpoints, per key.
ADMIN_RATE = "60 per minute"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


def from_env(env: dict[str, str] | None = None) -> dict[str, Any]:
    """Flask config values for :func:`search_api.create_app`."""
    env = dict(os.environ if env is None else env)
    return {
        "TIDINGS_API_KEYS": load_keys(env),
        "RATELIMIT_ENABLED": _flag(env.get("TIDINGS_RATELIMIT_ENABLED"), True),
        "TIDINGS_RATELIMIT": env.get("TIDINGS_RATELIMIT") or DEFAULT_RATE,
        "TIDINGS_RATELIMIT_ADMIN": env.get("TIDINGS_RATELIMIT_ADMIN") or ADMIN_RATE,
        "RATELIMIT_STORAGE_URI": env.get("TIDINGS_RATELIMIT_STORAGE") or "memory://",
        "TIDINGS_TRUSTED_PROXIES": int(env.get("TIDINGS_TRUSTED_PROXIES") or 0),
        #: Seconds a worker reuses a recent list, feed or catalog list (0: never).
        "TIDINGS_RESPONSE_CACHE_SECONDS": float(env.get("TIDINGS_RESPONSE_CACHE_SECONDS") or 2),
        #: Seconds a worker reuses a search for the same URL, never across an index commit.
        "TIDINGS_SEARCH_CACHE_SECONDS": float(env.get("TIDINGS_SEARCH_CACHE_SECONDS") or 2),
        #: Public root for absolute URLs (feeds, widget); None: built from the request.
        "TIDINGS_PUBLIC_URL": parse_public_url(env.get("TIDINGS_PUBLIC_URL")),
        #: Internal hosts that sources added through the API may name (SSRF guard's exceptions).
        "TIDINGS_ALLOW_INTERNAL_HOSTS": parse_host_list(env.get("TIDINGS_ALLOW_INTERNAL_HOSTS")),
        "TIDINGS_CRAWL_COMMAND": None,  # tests replace the `tidings crawl` command line
    }
