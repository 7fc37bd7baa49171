"""The web service's own settings (keys, rate limits, caches), from ``TIDINGS_*`` variables.

They become Flask config values, so tests and embedders override them with
``create_app(config={...})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search_api.auth import load_keys
from search_api.public_url import parse_public_url
from tidings.core.environment import read_environment


def from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask config values for :func:`search_api.create_app`, from the ``TIDINGS_*`` variables
    (read by :func:`tidings.core.environment.read_environment`)."""
    values = read_environment(env)
    return {
        "TIDINGS_API_KEYS": load_keys(values["TIDINGS_API_KEYS"], values["TIDINGS_API_KEYS_FILE"]),
        "RATELIMIT_ENABLED": values["TIDINGS_RATELIMIT_ENABLED"],
        "TIDINGS_RATELIMIT": values["TIDINGS_RATELIMIT"],
        "TIDINGS_RATELIMIT_ADMIN": values["TIDINGS_RATELIMIT_ADMIN"],
        "RATELIMIT_STORAGE_URI": values["TIDINGS_RATELIMIT_STORAGE"],
        "TIDINGS_TRUSTED_PROXIES": values["TIDINGS_TRUSTED_PROXIES"],
        #: Seconds a worker reuses a recent list, feed or catalog list (0: never).
        "TIDINGS_RESPONSE_CACHE_SECONDS": values["TIDINGS_RESPONSE_CACHE_SECONDS"],
        #: Seconds a worker reuses a search for the same URL, never across an index commit.
        "TIDINGS_SEARCH_CACHE_SECONDS": values["TIDINGS_SEARCH_CACHE_SECONDS"],
        #: Public root for absolute URLs (feeds, widget); None: built from the request.
        "TIDINGS_PUBLIC_URL": parse_public_url(values["TIDINGS_PUBLIC_URL"]),
        #: Internal hosts that sources added through the API may name (SSRF guard's exceptions).
        "TIDINGS_ALLOW_INTERNAL_HOSTS": values["TIDINGS_ALLOW_INTERNAL_HOSTS"],
        "TIDINGS_CRAWL_COMMAND": None,  # tests replace the `tidings crawl` command line
    }
