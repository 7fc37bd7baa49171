"""A live progress line for interactive crawls: pages, articles, errors and rate, every second.

A Scrapy extension, on when ``TIDINGS_PROGRESS`` is true (``tidings crawl`` turns it on when
stderr is a terminal, or with ``--progress``). On a terminal the line is redrawn in place;
anywhere else (a pipe, a file) each update is a line of its own. A last line is written when
the crawl ends. ``TIDINGS_PROGRESS_INTERVAL`` sets the period (seconds, default 1).
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from crawler.health.counters import STAT

DEFAULT_INTERVAL = 1.0
_CLEAR_TO_EOL = "\x1b[K"


def progress_line(stats: dict[str, Any], elapsed: float, recent_rate: float | None = None) -> str:
    """``12.0s  pages 240  articles 198  errors 3  16.5 articles/s`` from crawl stats."""
    pages = int(stats.get("downloader/response_count", 0))
    articles = int(stats.get(f"{STAT}articles_extracted", 0))
    errors = sum(int(v) for k, v in stats.items() if k.startswith(f"{STAT}errors/"))
    rate = articles / elapsed if elapsed > 0 else 0.0
    line = (
        f"{elapsed:6.1f}s  pages {pages}  articles {articles}  errors {errors}  "
        f"{rate:.1f} articles/s"
    )
    if recent_rate is not None:
        line += f" (now {recent_rate:.1f}/s)"
    return line


class ProgressLine:
    """Write :func:`progress_line` to a stream (stderr) every ``interval`` seconds."""

    def __init__(self, crawler: Crawler, stream: TextIO, interval: float) -> None:
        self.crawler = crawler
        self.stream = stream
        self.interval = interval
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.last: tuple[float, int] = (self.started, 0)
        self.task: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressLine:
        if not crawler.settings.getbool("TIDINGS_PROGRESS"):
            raise NotConfigured  # no message: Scrapy logs a message as a WARNING
        interval = crawler.settings.getfloat("TIDINGS_PROGRESS_INTERVAL", DEFAULT_INTERVAL)
        extension = cls(crawler, sys.stderr, max(0.05, interval))
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self) -> None:
        self.started = time.monotonic()
        self.last = (self.started, 0)
        self.task = LoopingCall(self.tick)
        self.task.start(self.interval, now=False)

    def _stats(self) -> dict[str, Any]:
        return self.crawler.stats.get_stats() if self.crawler.stats else {}

    def tick(self) -> None:
        stats = self._stats()
        now = time.monotonic()
        articles = int(stats.get(f"{STAT}articles_extracted", 0))
        then, before = self.last
        recent = (articles - before) / (now - then) if now > then else 0.0
        self.last = (now, articles)
        self._write(progress_line(stats, now - self.started, recent))

    def closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        line = progress_line(self._stats(), time.monotonic() - self.started)
        self._write(f"{line}  done", final=True)

    def _write(self, line: str, final: bool = False) -> None:
        end = "\n" if final or not self.tty else ""
        text = f"\r{line}{_CLEAR_TO_EOL}{end}" if self.tty else f"{line}{end}"
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed: the crawl goes on without a line
            if self.task is not None and self.task.running:
                self.task.stop()
