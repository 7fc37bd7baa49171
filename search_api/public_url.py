"""Absolute URLs in responses (feed links, the widget's "more" link): from configuration when
``TIDINGS_PUBLIC_URL`` is set, else from the request.

Why: an absolute URL built from the request's ``Host`` (or ``X-Forwarded-Host`` behind a
trusted proxy) is whatever the client sent. With ``TIDINGS_PUBLIC_URL`` the links are the
operator's; without it, the response cache keys on :func:`base_url`, so one client's Host
header never reaches another client's response.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, request, url_for

from search_api.problems import Problem

CONFIG_KEY = "TIDINGS_PUBLIC_URL"


def parse_public_url(value: str | None) -> str | None:
    """``https://news.example.com/tidings/`` → without its trailing ``/``; None when unset;
    ValueError unless it is an http(s) URL with a host and no query or fragment."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{CONFIG_KEY} must be an http(s) URL, not {value!r}")
    if parts.query or parts.fragment:
        raise ValueError(f"{CONFIG_KEY} may not have a query or fragment: {value!r}")
    return value.rstrip("/")


def base_url() -> str:
    """The public root of the app (no trailing ``/``): the configured one, else the request's
    scheme, host and script root."""
    return current_app.config.get(CONFIG_KEY) or request.url_root.rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """``url_for(endpoint, **values)`` as an absolute URL under :func:`base_url`."""
    path = url_for(endpoint, **values)  # starts with the request's script root
    return base_url() + path[len(request.script_root) :]


def init_public_url(app: Flask) -> None:
    """Make :func:`external_url` available to templates, and refuse a request whose ``Host``
    is not a host (RFC 9112: a 400), whose links would otherwise read ``http:/feeds/...``."""
    app.jinja_env.globals["external_url"] = external_url
    app.before_request(_require_host)


def _require_host() -> None:
    if not request.host:  # Werkzeug leaves out a Host with characters no host name has
        raise Problem(400, detail="the Host header is not a valid host[:port]")
