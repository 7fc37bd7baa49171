"""What the spider hands the item pipeline besides :class:`crawler.health.failures.CrawlError`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tidings.core.store import FetchState


@dataclass
class FetchedArticle:
    """An extracted record and the fetch state of its page, stored together or not at all."""

    record: dict[str, Any]
    fetch: FetchState
