"""The web service's own settings (keys, rate limits, caches), from ``TIDINGS_*`` variables.

They become Flask config values, so tests and embedders override them with
``create_app(config={...})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from limits import parse_many
from limits.storage import SCHEMES

from search_api.auth import load_keys
from search_api.public_url import parse_public_url
from tidings.core.environment import read_environment


def from_env(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Flask config values for :func:`search_api.create_app`, from the ``TIDINGS_*`` variables
    (read by :func:`tidings.core.environment.read_environment`)."""
    values = read_environment(env)
    return {
        "TIDINGS_API_KEYS": _keys(values["TIDINGS_API_KEYS"], values["TIDINGS_API_KEYS_FILE"]),
        "RATELIMIT_ENABLED": values["TIDINGS_RATELIMIT_ENABLED"],
        "TIDINGS_RATELIMIT": rate_limits("TIDINGS_RATELIMIT", values["TIDINGS_RATELIMIT"]),
        "TIDINGS_RATELIMIT_ADMIN": rate_limits(
            "TIDINGS_RATELIMIT_ADMIN", values["TIDINGS_RATELIMIT_ADMIN"]
        ),
        "RATELIMIT_STORAGE_URI": limit_storage(values["TIDINGS_RATELIMIT_STORAGE"]),
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


# Checked here, when the app is built (``tidings serve`` turns the ValueError into its one-line
# error), not at the first request: a limit the limits package cannot read was a 500 on every
# request, an unknown storage scheme or an unreadable keys file a traceback at start-up.


def rate_limits(name: str, value: str) -> str:
    """``value`` if the limits package reads it (``1200 per minute``, several joined by ``;``)."""
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"{name} must be like '1200 per minute', not {value!r}") from None
    return value


def limit_storage(uri: str) -> str:
    """``uri`` if it names a storage the limits package has (its scheme only is shown: a Redis
    URL may hold a password)."""
    scheme = uri.partition("://")[0] if "://" in uri else ""
    if scheme.startswith("async+") or scheme not in SCHEMES:
        raise ValueError(
            "TIDINGS_RATELIMIT_STORAGE must be memory:// or a storage URL such as "
            f"redis://host:6379, not one with scheme {scheme!r}"
        )
    return uri


def _keys(listed: str | None, file: Path | None) -> tuple[str, ...]:
    try:
        return load_keys(listed, file)
    except OSError as exc:
        raise ValueError(f"TIDINGS_API_KEYS_FILE cannot be read: {file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ValueError(f"TIDINGS_API_KEYS_FILE is not UTF-8 text: {file}") from None
