"""Per-source ``interval``: a source crawled (to the end) less than its interval ago waits.

Only completed crawls count (``source_runs`` rows with finish reason ``finished``), so a crawl
that was killed or cancelled is picked up again by the next run.
"""

from __future__ import annotations

from datetime import datetime

from tidings.core.article import date_or_none
from tidings.core.sources import Source


def due_sources(
    sources: list[Source], last_finished: dict[str, str], now: datetime, force: bool = False
) -> tuple[list[Source], list[Source]]:
    """(sources to crawl now, sources whose interval has not passed yet)."""
    if force:
        return list(sources), []
    due, waiting = [], []
    for source in sources:
        last = date_or_none(last_finished.get(source.id))
        elapsed = (now - last).total_seconds() if last else None
        (waiting if elapsed is not None and elapsed < source.interval else due).append(source)
    return due, waiting
