"""The embeddable headline widget: ``/widget.js`` (shadow DOM) and ``/widget`` (iframe).

``/widget.js`` is a static script that renders into a shadow root beside its own ``<script>``
tag and reads ``/api/v1/recent`` from its own origin. ``/widget`` is the same list as a
server-rendered page for an ``<iframe>``: no JavaScript at all, text auto-escaped, a strict
Content-Security-Policy, and embeddable by any site.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from search_api.caching import cacheable
from search_api.markup import safe_url
from search_api.params import MAX_VALUE
from search_api.problems import invalid_params
from search_api.searching import current_index
from tidings.core.article import article_date

bp = Blueprint("widget", __name__)

DEFAULT_LIMIT = 5
MAX_LIMIT = 20
THEMES = ("light", "dark")
SCRIPT_MAX_AGE = 300
#: The iframe page runs no script, loads only our stylesheet, and may be framed anywhere.
IFRAME_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


@bp.get("/widget.js")
def script() -> Response:
    """The embed script; cacheable, loadable from any site."""
    resp = current_app.send_static_file("widget.js")
    resp.content_type = "text/javascript; charset=utf-8"
    resp.headers["Cache-Control"] = f"public, max-age={SCRIPT_MAX_AGE}"
    resp.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    resp.headers["Access-Control-Allow-Origin"] = "*"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


@bp.get("/widget")
def frame() -> Response:
    """Recent headlines as a small HTML page for ``<iframe src="/widget?topic=...">``."""
    topic, limit, theme = parse_widget(request.args)
    articles = current_index().recent(topic=topic, limit=limit)
    now = datetime.now(UTC)
    items = [_item(a, now) for a in articles]
    html = render_template("widget.html", items=items, topic=topic, theme=theme)
    resp = Response(html, content_type="text/html; charset=utf-8")
    resp.headers["Content-Security-Policy"] = IFRAME_CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return cacheable(resp)


def parse_widget(args: Any) -> tuple[str | None, int, str]:
    """``topic`` (optional), ``limit`` (1-20, default 5) and ``theme`` (light|dark)."""
    errors: list[tuple[str, str]] = []
    topic = (args.get("topic") or "").strip() or None
    if topic is not None and (len(topic) > MAX_VALUE or not topic.isprintable()):
        errors.append(("topic", f"must be at most {MAX_VALUE} printable characters"))
    raw = (args.get("limit") or "").strip()
    limit = DEFAULT_LIMIT
    if raw:
        if raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:
            limit = int(raw)
        else:
            errors.append(("limit", f"must be an integer from 1 to {MAX_LIMIT}"))
    theme = (args.get("theme") or "light").strip()
    if theme not in THEMES:
        errors.append(("theme", f"must be one of: {', '.join(THEMES)}"))
    if errors:
        raise invalid_params(errors)
    return topic, limit, theme


def relative_time(when: datetime | None, now: datetime) -> str:
    """``5 minutes ago``, ``3 hours ago``, ``2 days ago``... (English, like the script)."""
    if when is None:
        return ""
    secs = int((now - when).total_seconds())
    if secs < 0:
        return "just now" if secs > -60 else "in the future"
    for unit, size in (("year", 31_536_000), ("month", 2_592_000), ("week", 604_800),
                       ("day", 86_400), ("hour", 3_600), ("minute", 60)):  # fmt: skip
        if secs >= size:
            n = round(secs / size)
            if unit == "day" and n == 1:
                return "yesterday"
            return f"{n} {unit}{'' if n == 1 else 's'} ago"
    return "just now"


def _item(article: dict[str, Any], now: datetime) -> dict[str, Any]:
    source = article.get("source") if isinstance(article.get("source"), dict) else {}
    when = article_date(article)
    return {
        "title": article.get("title") or "(untitled)",
        "url": safe_url(article.get("url")),
        "source": source.get("name") or source.get("id") or "",
        "when": relative_time(when, now),
        "iso": when.isoformat().replace("+00:00", "Z") if when else "",
    }
