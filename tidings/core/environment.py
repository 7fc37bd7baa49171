"""The one place that reads ``TIDINGS_*`` environment variables.

Every variable Tidings understands is a row of :data:`VARIABLES`: its name, its default, what
it means and how its text becomes a value. :func:`read_environment` is the only reader of
``os.environ`` for them; the core settings (:class:`tidings.core.config.Settings`), the web
service's config (:mod:`search_api.config`), gunicorn's (:mod:`search_api.gunicorn_conf`), the
crawler's Redis switch and the development servers all take their values from it. So a bad
value fails the same way everywhere (``ValueError`` naming the variable: the CLI's one-line
error, exit 2), and a misspelt name (``TIDINGS_ES_UR``) is reported instead of silently ignored.
The README's settings table lists exactly these rows (a test holds them together).
"""

from __future__ import annotations

import difflib
import logging
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tidings.core.hosts import parse_host_list

log = logging.getLogger(__name__)

PREFIX = "TIDINGS_"


# Parsers: text → value, or ValueError with a message that :func:`read_environment` prefixes
# with the variable's name.


def text(value: str) -> str | None:
    """Trimmed text; empty means unset."""
    return value.strip() or None


def path(value: str) -> Path | None:
    return Path(value.strip()) if value.strip() else None


def flag(value: str) -> bool | None:
    """``0``/``false``/``no``/``off`` are false, ``1``/``true``/``yes``/``on`` true."""
    word = value.strip().lower()
    if not word:
        return None
    if word in ("0", "false", "no", "off"):
        return False
    if word in ("1", "true", "yes", "on"):
        return True
    raise ValueError("must be one of 1/0, true/false, yes/no, on/off")


def count(value: str) -> int | None:
    """A whole number ≥ 0."""
    if not value.strip():
        return None
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError("must be a whole number ≥ 0")
    return number


def positive(value: str) -> int | None:
    """A whole number ≥ 1 (days, workers, threads...)."""
    try:
        number = count(value)
    except ValueError:
        number = 0
    if number == 0:
        raise ValueError("must be a positive whole number")
    return number


def seconds(value: str) -> float | None:
    """A duration in seconds ≥ 0 (fractions allowed; not inf, a cache that never expires)."""
    if not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 <= number < math.inf:  # also refuses nan
        raise ValueError("must be a number of seconds ≥ 0")
    return number


def choice(*allowed: str) -> Callable[[str], str | None]:
    def parse(value: str) -> str | None:
        word = value.strip().lower()
        if word and word not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return word or None

    return parse


def postgres_url(value: str) -> str | None:
    """A ``postgresql://`` (or ``postgres://``) libpq URL; empty means unset."""
    url = value.strip()
    if url and url.split("://", 1)[0] not in ("postgresql", "postgres"):
        raise ValueError("must be a postgresql:// URL")
    if url:
        from psycopg import ProgrammingError  # only when a URL is given, as the store does
        from psycopg.conninfo import conninfo_to_dict

        try:
            conninfo_to_dict(url)  # libpq's own reading: multi-host lists pass, '[::1' does not
        except ProgrammingError:  # its message quotes the URL, password and all: not shown
            raise ValueError("must be a postgresql:// URL that libpq can read") from None
    return url or None


def service_url(value: str) -> str | None:
    """An ``http(s)://`` URL with a host and an explicit port (the Elasticsearch client needs
    all three; without one it fails deep inside, as a traceback)."""
    url = value.strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError if it is not a number from 0 to 65535
    except ValueError:
        port = None
    if port is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL with a host and a port (https://HOST:9200)")
    return url


def hosts(value: str) -> frozenset[str] | None:
    return parse_host_list(value) or None


@dataclass(frozen=True)
class Variable:
    """One ``TIDINGS_*`` variable: ``parse`` turns its text into a value (None: unset)."""

    name: str
    default: Any
    parse: Callable[[str], Any]
    group: str  # core, api, gunicorn or dev: who reads it
    help: str
    #: May hold a password or key: an error about it never shows the value.
    secret: bool = False


VARIABLES: dict[str, Variable] = {
    v.name: v
    for v in (
        # Where data lives and which parts are used (tidings.core.config.Settings).
        Variable(
            "TIDINGS_HOME", Path("var"), path, "core",
            "data directory (store and index)",
        ),
        Variable(
            "TIDINGS_INDEX", "embedded", choice("embedded", "elasticsearch"), "core",
            "index backend: embedded (tantivy) or elasticsearch",
        ),
        Variable(
            "TIDINGS_ES_URL", None, service_url, "core",
            "Elasticsearch URL; basic auth as https://USER:PASSWORD@host:9200", secret=True,
        ),
        Variable(
            "TIDINGS_ES_INDEX", "tidings-articles", text, "core",
            "the Elasticsearch alias the articles live behind",
        ),
        Variable(
            "TIDINGS_ES_API_KEY", None, text, "core",
            "Elasticsearch API key (encoded form), instead of a password",
        ),
        Variable(
            "TIDINGS_ES_CA_CERTS", None, text, "core",
            "PEM file of a private CA that signed the cluster's certificate",
        ),
        Variable(
            "TIDINGS_MODEL", None, path, "core",
            "topic model directory (default: the shipped models/default)",
        ),
        Variable(
            "TIDINGS_TAXONOMY", None, path, "core",
            "taxonomy file (default: the packaged taxonomy.toml)",
        ),
        Variable(
            "TIDINGS_USER_AGENT", None, text, "core",
            "the crawler's User-Agent (default: TidingsBot/0.1 (+project URL))",
        ),
        Variable(
            "TIDINGS_RETENTION_DAYS", None, positive, "core",
            "`tidings prune` removes articles older than this many days",
        ),
        Variable(
            "TIDINGS_STORE_URL", None, postgres_url, "core",
            "PostgreSQL store shared by every host (postgresql://USER:PASSWORD@host/db); "
            "unset: SQLite in TIDINGS_HOME", secret=True,
        ),
        Variable(
            "TIDINGS_REDIS_URL", None, text, "core",
            "default of `tidings crawl --redis`: share the crawl frontier in Redis",
        ),
        # The web service (search_api.config).
        Variable(
            "TIDINGS_API_KEYS", None, text, "api",
            "comma-separated API keys for the key-only endpoints",
        ),
        Variable(
            "TIDINGS_API_KEYS_FILE", None, path, "api",
            "file of API keys, one per line (# comments)",
        ),
        Variable(
            "TIDINGS_RATELIMIT_ENABLED", True, flag, "api",
            "0 switches rate limiting off",
        ),
        Variable(
            "TIDINGS_RATELIMIT", "1200 per minute", text, "api",
            "rate limit per API key (else per client address)",
        ),
        Variable(
            "TIDINGS_RATELIMIT_ADMIN", "60 per minute", text, "api",
            "rate limit of the write and admin endpoints",
        ),
        Variable(
            "TIDINGS_RATELIMIT_STORAGE", "memory://", text, "api",
            "where limits are counted (redis://host:6379 to share)",
        ),
        Variable(
            "TIDINGS_TRUSTED_PROXIES", 0, count, "api",
            "proxies in front whose X-Forwarded-* headers count",
        ),
        Variable(
            "TIDINGS_RESPONSE_CACHE_SECONDS", 2.0, seconds, "api",
            "seconds a worker reuses a recent list, feed or catalog",
        ),
        Variable(
            "TIDINGS_SEARCH_CACHE_SECONDS", 2.0, seconds, "api",
            "seconds a worker reuses a search (never across a commit)",
        ),
        Variable(
            "TIDINGS_PUBLIC_URL", None, text, "api",
            "public root for absolute links in feeds and the widget",
        ),
        Variable(
            "TIDINGS_ALLOW_INTERNAL_HOSTS", frozenset(), hosts, "api",
            "internal hosts that sources added through the API may name",
        ),
        # gunicorn (search_api.gunicorn_conf).
        Variable(
            "TIDINGS_BIND", "127.0.0.1:8000", text, "gunicorn",
            "the address gunicorn listens on",
        ),
        Variable(
            "TIDINGS_WORKERS", os.cpu_count() or 2, positive, "gunicorn",
            "gunicorn worker processes (default: one per core)",
        ),
        Variable(
            "TIDINGS_THREADS", 256, positive, "gunicorn",
            "threads per gunicorn worker (a new or slow client holds one until its request is in)",
        ),
        Variable(
            "TIDINGS_TIMEOUT", 30, positive, "gunicorn",
            "seconds before a silent worker is restarted",
        ),
        Variable(
            "TIDINGS_MAX_REQUESTS", 20000, positive, "gunicorn",
            "requests before a worker is recycled",
        ),
        Variable(
            "TIDINGS_ACCESS_LOG", "-", text, "gunicorn",
            "access log file (- for standard output)",
        ),
        Variable(
            "TIDINGS_LOG_LEVEL", "info", text, "gunicorn",
            "gunicorn's log level",
        ),
        # Development servers and benchmarks.
        Variable(
            "TIDINGS_ES_CACHE", None, path, "dev",
            "where `tidings dev elasticsearch` keeps unpacked releases",
        ),
        Variable(
            "TIDINGS_PG_BIN", None, path, "dev",
            "PostgreSQL server binaries for `tidings dev postgres` (default: Debian's newest)",
        ),
        Variable(
            "TIDINGS_DATA_DIR", None, path, "dev",
            "the shared evaluation data (default: ../shared/data)",
        ),
    )
}

#: Unknown names already reported (once per process is enough).
_warned: set[str] = set()


class Environment(Mapping[str, Any]):
    """Parsed values of every known variable (its default when unset), by name."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """Every ``TIDINGS_*`` variable of ``env`` (default ``os.environ``) parsed, defaults filled.

    A bad value raises ``ValueError("TIDINGS_X must be ...")``; an unknown ``TIDINGS_*`` name is
    logged as a warning with the nearest known name.
    """
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    for name, variable in VARIABLES.items():
        raw = env.get(name)
        value = None
        if raw is not None:
            try:
                value = variable.parse(raw)
            except ValueError as exc:
                shown = " (value not shown: it may hold a password)" if variable.secret else ""
                raise ValueError(f"{name} {exc}{shown or f', not {raw!r}'}") from None
        values[name] = variable.default if value is None else value
    for name in unknown_names(env):
        if name in _warned:
            continue
        _warned.add(name)
        near = difflib.get_close_matches(name, VARIABLES, n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        log.warning("ignoring unknown setting %s%s", name, hint)
    return Environment(values)


def unknown_names(env: Mapping[str, str]) -> list[str]:
    """``TIDINGS_*`` names in ``env`` that no row of :data:`VARIABLES` knows."""
    return sorted(n for n in env if n.startswith(PREFIX) and n not in VARIABLES)
