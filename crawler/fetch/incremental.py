"""Decide whether an article we already stored must be fetched again.

Only the feed or sitemap can say an article changed without fetching it: the entry's
updated/published date or the sitemap's ``lastmod``. A URL is fetched again when such a date
is newer than both the time we fetched it and the newest date we had seen for it then
(``seen_modified``; it covers publishers whose clocks run ahead of ours).
"""

from __future__ import annotations

from typing import Any

from tidings.core.article import date_or_none

#: Hints (from feeds and sitemaps) that date a version of the page.
DATE_HINTS = ("feed_updated", "feed_published", "sitemap_lastmod")


def hint_date(hints: dict[str, Any]) -> str | None:
    """The newest version date the feed or sitemap gave for a URL (ISO, UTC), or None."""
    dates = [d for d in (date_or_none(hints.get(name)) for name in DATE_HINTS) if d is not None]
    return max(dates).isoformat() if dates else None


def changed_since_fetch(hints: dict[str, Any], state: dict[str, Any]) -> bool:
    """True if the hints date a version newer than the one we fetched."""
    newest = date_or_none(hint_date(hints))
    if newest is None:
        return False
    known = [d for k in ("seen_modified", "fetched_at") if (d := date_or_none(state.get(k)))]
    return not known or newest > max(known)
