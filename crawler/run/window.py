"""Date windows for ``tidings crawl --since/--until``: which articles a crawl keeps.

The window applies to an article's publication date. Feed and sitemap entries are judged
before fetching from the dates they carry: a publication date outside the window, or a
``lastmod`` older than ``since`` (a page last changed before ``since`` was published before it),
skips the entry. Entries without such a date are fetched and judged by the extracted
``published_at``; an article with no date at all is kept (nothing says it is outside).

:class:`DateWindowMiddleware` (a spider middleware) drops those extracted articles published
outside the window. They are counted per source as ``outside_window``; their fetch state is not
stored, so a later crawl with another window still finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.health.counters import count
from crawler.items import FetchedArticle
from tidings.core.article import date_or_none, parse_iso, read_date, source_id

_RELATIVE = re.compile(r"^(\d+)\s*([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: Hints that give the publication date, and those that give a later (modification) date.
PUBLISHED_HINTS = ("feed_published", "sitemap_published")
MODIFIED_HINTS = ("feed_updated", "sitemap_lastmod")


def parse_bound(text: str, now: datetime | None = None, *, end: bool = False) -> datetime:
    """A window bound from ``2026-11-20``, an ISO date-time, or ``7d`` / ``12h`` / ``2w`` ago.

    A bare date as an upper bound (``end``) means the end of that day. ValueError if unreadable.
    """
    text = text.strip()
    match = _RELATIVE.match(text.lower())
    if match:
        now = now or datetime.now(UTC)
        try:
            return now - timedelta(seconds=int(match[1]) * _UNITS[match[2]])
        except OverflowError:
            raise ValueError(f"an age reaching before year 1: {text!r}") from None
    try:
        parsed = parse_iso(text, end_of_day=end)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError(f"not a date, date-time or age like '7d': {text!r}")
    return parsed


@dataclass(frozen=True)
class DateWindow:
    """Publication dates from ``since`` to ``until`` (inclusive; either may be open)."""

    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_open(self) -> bool:
        """True if the window lets everything through."""
        return self.since is None and self.until is None

    def contains(self, published: object) -> bool:
        """True if an ISO date is inside, or missing/unreadable (unknown is not outside)."""
        when = date_or_none(published)
        if when is None:
            return True
        return not (
            (self.since is not None and when < self.since)
            or (self.until is not None and when > self.until)
        )

    def skips_entry(self, hints: dict[str, Any]) -> bool:
        """True if a feed/sitemap entry's own dates put its article outside the window."""
        published = read_date(hints, *PUBLISHED_HINTS)
        if published is not None:
            return not self.contains(published.isoformat())
        modified = [d for d in map(date_or_none, map(hints.get, MODIFIED_HINTS)) if d]
        return bool(modified) and self.since is not None and max(modified) < self.since

    def to_settings(self) -> dict[str, str | None]:
        """Scrapy settings that carry the window to the spider (see :meth:`from_settings`)."""
        return {
            "TIDINGS_SINCE": self.since.isoformat() if self.since else None,
            "TIDINGS_UNTIL": self.until.isoformat() if self.until else None,
        }

    @classmethod
    def from_settings(cls, settings: Any) -> DateWindow:
        """The window in Scrapy settings ``TIDINGS_SINCE`` / ``TIDINGS_UNTIL`` (ISO or unset)."""
        since, until = settings.get("TIDINGS_SINCE"), settings.get("TIDINGS_UNTIL")
        return cls(date_or_none(since), date_or_none(until))


class DateWindowMiddleware(BaseSpiderMiddleware):
    """Active only when the crawl has a date window."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.window = DateWindow.from_settings(crawler.settings)
        if self.window.is_open:
            raise NotConfigured  # no window; no message, which Scrapy would log as a WARNING

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not isinstance(item, FetchedArticle):
            return item
        if self.window.contains(item.record.get("published_at")):
            return item
        count(self.crawler, source_id(item.record) or "?", "outside_window")
        return None
