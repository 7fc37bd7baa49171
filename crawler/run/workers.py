"""A process pool for the CPU-bound work of a crawl: extracting pages and tagging batches.

Scrapy runs in one thread; extraction (~5-12 ms a page) and tagging (spaCy NER and the topic
model) would keep it on one core. With ``--workers N`` the spider sends each page's
extraction to this pool and the item pipeline sends each batch's tagging, so N processes do
that work while the reactor keeps fetching, storing and indexing.

The pool forks its workers before the crawl starts (:meth:`WorkerPool.start`), so they
inherit the loaded tagger instead of unpickling a spaCy pipeline, and are forked from a
process that has no reactor threads yet. Where fork is unavailable, use ``--workers 0``
(work runs in the crawl's own process, as without a pool).

Each call returns how long the work took in the worker, summed into Scrapy stats under
``tidings/seconds/<stage>`` so benchmarks can report time per stage.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scrapy.crawler import Crawler

from tidings.core.tagging import ArticleTagger

logger = logging.getLogger(__name__)

STAGE_STAT = "tidings/seconds/"
_PR_SET_PDEATHSIG = 1
_ATTR = "_tidings_pool"

#: The tagger inherited by a forked worker (set by the pool initializer).
_worker_tagger: ArticleTagger | None = None


def _init_worker(tagger: ArticleTagger | None) -> None:
    global _worker_tagger
    _worker_tagger = tagger
    # the parent owns the terminal: a worker ignores Ctrl-C and ends with the pool
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()


def _die_with_parent() -> None:
    """Linux: a crawl killed with SIGKILL takes its workers with it (no orphans holding models)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _ready() -> int:
    time.sleep(0.05)  # busy long enough that each start-up call forks its own worker
    return os.getpid()


def _timed_call(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[Any, float]:
    started = time.perf_counter()
    return fn(*args), time.perf_counter() - started


def _tag_in_worker(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
    started = time.perf_counter()
    if _worker_tagger is None:
        raise RuntimeError("this worker pool was started without a tagger")
    _worker_tagger.tag(records)
    return records, time.perf_counter() - started


class WorkerPool:
    """``workers`` forked processes that extract pages and tag batches for one crawl."""

    def __init__(self, workers: int, tagger: ArticleTagger | None = None) -> None:
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self.has_tagger = tagger is not None
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(tagger,),
        )

    def start(self) -> list[int]:
        """Fork every worker now (before the reactor starts); returns their process ids.

        Objects alive now (the tagger's models, modules) are moved out of the garbage
        collector's reach first, so collections in the workers do not touch, and so copy,
        the memory they share with this process.
        """
        gc.collect()
        gc.freeze()
        futures = [self.executor.submit(_ready) for _ in range(self.workers)]
        return sorted({f.result() for f in futures})

    async def call(self, fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
        """``fn(*args)`` in a worker (``fn`` must be importable); result and seconds taken."""
        return await asyncio.wrap_future(self.executor.submit(_timed_call, fn, args))

    async def tag(self, records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], float]:
        """Tag ``records`` in a worker; the tagged copies and seconds taken."""
        return await asyncio.wrap_future(self.executor.submit(_tag_in_worker, records))

    def close(self) -> None:
        """Stop the workers (waits for work in progress)."""
        self.executor.shutdown(wait=True, cancel_futures=True)


def crawl_pool(crawler: Crawler) -> WorkerPool | None:
    """The crawl's worker pool (setting ``TIDINGS_POOL``), or None to work in-process."""
    from crawler.run.shared import unwrap

    pool = unwrap(crawler.settings.get("TIDINGS_POOL"))
    return pool if isinstance(pool, WorkerPool) else None


def add_seconds(crawler: Crawler, stage: str, seconds: float) -> None:
    """Add ``seconds`` to the time spent in ``stage`` (a Scrapy stat, in ms for exact sums)."""
    crawler.stats.inc_value(f"{STAGE_STAT}{stage}_ms", round(seconds * 1000))


async def run_extract(
    crawler: Crawler, extract: Callable[..., dict[str, Any]], *args: Any
) -> dict[str, Any]:
    """``extract(*args)`` in the crawl's pool if it has one, else here; timed per stage."""
    pool = crawl_pool(crawler)
    if pool is None:
        record, seconds = _timed_call(extract, args)
    else:
        record, seconds = await pool.call(extract, *args)
    add_seconds(crawler, "extract", seconds)
    return record
