"""The README's endpoint list and the app's routes say the same thing.

Every route the app serves is documented (in the OpenAPI document or the README); every
``METHOD /path?params`` the README names is a route of the app for that method, and each
parameter it lists for a route in the OpenAPI document is one of that operation's parameters.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.exceptions import MethodNotAllowed, NotFound

README = Path(__file__).resolve().parents[2] / "README.md"
#: ``GET /api/v1/search?q=&topic=`` as the README writes an endpoint (in backticks).
ENDPOINT = re.compile(r"`(GET|POST|DELETE) (/[^`?\s]*)(?:\?([^`]*))?`")
#: A path parameter as the README writes it: ``{id}``, ``<id>``, ``{rss,atom,json}``.
PLACEHOLDER = re.compile(r"\{[^}]*\}|<[^>]*>")
#: Served but documented by neither: static files and the Swagger UI page's own assets (and
#: its redirect to ``/api/v1/docs/``).
UNDOCUMENTED = {
    "/static/<path:filename>",
    "/api/v1/docs",
    "/api/v1/docs/docs.js",
    "/api/v1/docs/vendor/"
    "<any('swagger-ui-bundle.js', 'swagger-ui.css', 'LICENSE', 'VERSION'):name>",
}


def _readme_endpoints() -> list[tuple[str, str, list[str]]]:
    found = []
    for method, path, query in ENDPOINT.findall(README.read_text(encoding="utf-8")):
        params = [p.split("=")[0] for p in query.split("&") if p] if query else []
        found.append((method, path, [p for p in params if p and p != "..."]))
    return found


def _concrete(path: str) -> str:
    """A URL the README's path stands for: ``{a,b}`` takes its first choice, ``{id}`` is x."""
    return PLACEHOLDER.sub(lambda m: m[0][1:-1].split(",")[0] if "," in m[0] else "x", path)


def _spec_path(rule: str) -> str:
    """``/feeds/topic/<topic_id>.<any(rss, atom, json):fmt>`` as the OpenAPI document writes
    it: ``/feeds/topic/{topic_id}.{fmt}``."""
    return re.sub(r"<(?:[^>]*:)?(\w+)>", r"{\1}", rule)


def _in_readme(rule: str, readme: str) -> bool:
    """Whether the README writes the rule's path in backticks, any placeholder for its
    variable parts, ending there (``/stories`` is not ``/stories/{id}``)."""
    parts = re.split(r"<[^>]*>", rule)
    pattern = r"(?:\{[^}]*\}|<[^>]*>)".join(re.escape(part) for part in parts)
    return re.search(rf"`(?:(?:GET|POST|DELETE) )?{pattern}[`?\s]", readme) is not None


def test_every_route_is_documented(app: Flask, client: FlaskClient) -> None:
    spec_paths = set(client.get("/api/v1/openapi.json").get_json()["paths"])
    readme = README.read_text(encoding="utf-8")
    missing = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule not in UNDOCUMENTED
        and _spec_path(rule.rule) not in spec_paths
        and not _in_readme(rule.rule, readme)
    ]
    assert missing == [], f"routes neither in the OpenAPI document nor in the README: {missing}"


def test_every_readme_endpoint_is_a_route_with_its_parameters(
    app: Flask, client: FlaskClient
) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()["paths"]
    adapter = app.url_map.bind("localhost")
    endpoints = _readme_endpoints()
    assert len(endpoints) >= 25  # the table, the feeds, the widget and NewsAPI's
    for method, path, params in endpoints:
        try:
            endpoint, _ = adapter.match(_concrete(path), method=method)
        except (NotFound, MethodNotAllowed) as exc:
            raise AssertionError(f"README names {method} {path}: {type(exc).__name__}") from None
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        operation = spec.get(_spec_path(rule.rule), {}).get(method.lower())
        if operation is None:
            continue  # documented in the README only (feeds, widget, pages)
        names = {p["name"] for p in operation.get("parameters", [])}
        assert set(params) <= names, (method, path, set(params) - names)
