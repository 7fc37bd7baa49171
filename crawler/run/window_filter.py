"""Spider middleware: drop extracted articles published outside ``--since``/``--until``.

Feed and sitemap entries are judged before fetching (see :mod:`crawler.run.window`); this catches
pages with no date hint once their ``published_at`` is known. Dropped articles are counted per
source as ``outside_window``; their fetch state is not stored, so a later crawl with another
window still finds them.
"""

from __future__ import annotations

from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from crawler.health.counters import count
from crawler.items import FetchedArticle
from crawler.run.window import DateWindow


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
        source = (item.record.get("source") or {}).get("id", "?")
        count(self.crawler, source, "outside_window")
        return None
