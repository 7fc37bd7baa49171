"""The embeddable headline widget: ``/widget.js`` (shadow DOM) and ``/widget`` (iframe).

``/widget.js`` is a static script that renders into a shadow root beside its own ``<script>``
tag and reads ``/api/v1/recent`` (or ``/api/v1/stories``) from its own origin. ``/widget`` is the
same list as a server-rendered page for an ``<iframe>``: no JavaScript at all, text
auto-escaped, a strict Content-Security-Policy, and embeddable by any site.

Both forms take the same options (``topic``, ``limit``, ``theme``, ``show``; the script reads
them as ``data-*`` attributes) and render the same lines. With ``show=stories`` a line is a
story: its headline linking to the story's page, its first source "+N sources", the time it
last grew, and the story id (stable as the story grows) on the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from search_api.caching import cacheable
from search_api.markup import safe_url
from search_api.params import MAX_VALUE
from search_api.problems import invalid_params
from search_api.public_url import external_url
from search_api.searching import current_index
from search_api.stories import other_sources, ranked_stories
from tidings.core.article import article_date, date_or_none

bp = Blueprint("widget", __name__)

DEFAULT_LIMIT = 5
MAX_LIMIT = 20
THEMES = ("light", "dark")
#: What a line is: an article (the default) or a story (one line per event).
SHOWS = ("articles", "stories")
SCRIPT_MAX_AGE = 300
#: The iframe page runs no script, loads only our stylesheet, and may be framed anywhere.
IFRAME_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors *"
)


@dataclass(frozen=True)
class WidgetOptions:
    """The widget's options, the same for the iframe's query and the script's ``data-*``."""

    topic: str | None = None
    limit: int = DEFAULT_LIMIT
    theme: str = "light"
    show: str = "articles"


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
    """Recent headlines (or stories) as a small HTML page for ``<iframe src="/widget?...">``."""
    options = parse_widget(request.args)
    now = datetime.now(UTC)
    if options.show == "stories":
        found = ranked_stories({"topics": _listed(options.topic), "limit": options.limit})
        items = [story_item(s, now) for s in found]
        more = external_url("story_pages.stories", topic=options.topic)
    else:
        articles = current_index().recent(topic=options.topic, limit=options.limit)
        items = [article_item(a, now) for a in articles]
        more = external_url("pages.home", topic=options.topic)
    html = render_template("widget.html", items=items, options=options, more=more)
    resp = Response(html, content_type="text/html; charset=utf-8")
    resp.headers["Content-Security-Policy"] = IFRAME_CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return cacheable(resp)


def _listed(topic: str | None) -> tuple[str, ...]:
    return (topic,) if topic else ()


def parse_widget(args: Any) -> WidgetOptions:
    """``topic`` (optional), ``limit`` (1-20, default 5), ``theme`` (light|dark) and ``show``
    (articles|stories); a 400 naming every bad one."""
    errors: list[tuple[str, str]] = [
        (name, "may be given only once")  # as every other endpoint answers a repeat
        for name in ("topic", "limit", "theme", "show")
        if len(args.getlist(name)) > 1
    ]
    topic = (args.get("topic") or "").strip() or None
    if topic is not None and (len(topic) > MAX_VALUE or not topic.isprintable()):
        errors.append(("topic", f"must be at most {MAX_VALUE} printable characters"))
    raw = (args.get("limit") or "").strip()
    limit = DEFAULT_LIMIT
    if raw:
        if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_LIMIT:  # not '²' or '٣'
            limit = int(raw)
        else:
            errors.append(("limit", f"must be an integer from 1 to {MAX_LIMIT}"))
    theme = _choice(args, "theme", THEMES, errors)
    show = _choice(args, "show", SHOWS, errors)
    if errors:
        raise invalid_params(errors)
    return WidgetOptions(topic, limit, theme, show)


def _choice(args: Any, name: str, allowed: tuple[str, ...], errors: list[tuple[str, str]]) -> str:
    """The value of ``name`` (default: the first allowed); an error entry if it is not allowed."""
    value = (args.get(name) or allowed[0]).strip()
    if value not in allowed:
        errors.append((name, f"must be one of: {', '.join(allowed)}"))
    return value


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


def article_item(article: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One line of the widget for an article: its title linking to the article itself."""
    source = article.get("source") if isinstance(article.get("source"), dict) else {}
    return _line(
        article.get("id"),
        article.get("title"),
        safe_url(article.get("url")),
        source.get("name") or source.get("id") or "",
        article_date(article),
        now,
    )


def story_item(story: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One line for a story (the stories API's shape): its headline linking to the story's
    page, its first source "+N sources", the time its last article arrived."""
    first = story["sources"][0] if story.get("sources") else {}
    name = str(first.get("name") or first.get("id") or "")
    others = other_sources(story.get("source_count", 0) - 1)
    return _line(
        story["id"],
        story.get("headline"),
        external_url("story_pages.story", story_id=story["id"]),
        f"{name} {others}".strip(),
        date_or_none(story.get("last_seen")),
        now,
    )


def _line(
    item_id: Any, title: Any, url: str, source: str, when: datetime | None, now: datetime
) -> dict[str, Any]:
    return {
        "id": str(item_id or ""),
        "title": title or "(untitled)",
        "url": url,
        "source": source,
        "when": relative_time(when, now),
        "iso": when.isoformat().replace("+00:00", "Z") if when else "",
    }
