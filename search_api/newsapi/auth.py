"""API keys the way NewsAPI clients send them, checked against Tidings' keys.

NewsAPI accepts the key as the ``apiKey`` query parameter, an ``X-Api-Key`` header, or an
``Authorization`` header with or without ``Bearer``. When Tidings has keys configured
(``TIDINGS_API_KEYS``), a ``/v2`` request needs one of them: none is ``apiKeyMissing``, a wrong
one ``apiKeyInvalid`` (both 401). Without configured keys the endpoints are open, like the
rest of the read API. A valid key also names the request's rate-limit bucket.
"""

from __future__ import annotations

from flask import current_app, g, request

from search_api.auth import CONFIG_KEY, valid_key
from search_api.newsapi.errors import NewsApiError


def presented_key() -> str | None:
    """The key in the query string, ``X-Api-Key`` or ``Authorization`` (in that order)."""
    for name, value in request.args.items(multi=True):
        if name.lower() == "apikey" and value.strip():
            return value.strip()
    header = request.headers.get("X-Api-Key", "").strip()
    if header:
        return header
    auth = request.headers.get("Authorization", "").strip()
    scheme, _, rest = auth.partition(" ")
    return (rest.strip() if scheme.lower() == "bearer" else auth) or None


def check_key() -> None:
    """Refuse the request in NewsAPI's words unless it carries a configured key (if any)."""
    keys = current_app.config.get(CONFIG_KEY) or ()
    if not keys:
        return
    key = presented_key()
    if key is None:
        raise NewsApiError(
            "apiKeyMissing",
            "Your API key is missing. Append this to the URL with the apiKey param, or use "
            "the x-api-key HTTP header.",
        )
    if not valid_key(key, keys):
        raise NewsApiError(
            "apiKeyInvalid",
            "Your API key is invalid or incorrect. Check your key, or ask the "
            "operator of this Tidings for one.",
        )
    g.api_key = key  # the rate limiter's bucket (search_api.limits.client_key)
