"""A process pool for the CPU-bound work of a crawl: extracting and tagging articles.

Scrapy runs in one thread; extraction (~5-12 ms a page) and tagging (spaCy NER and the topic
model) would keep it on one core. With ``--workers N`` the spider hands each page to this pool,
and a worker extracts it and tags the record, so N processes do that work while the reactor
keeps fetching, storing and indexing.

An article crosses the process boundary once each way: the page's bytes go out (the worker
decodes them: :func:`crawler.extract.document.decode_html`), the finished (extracted and tagged)
record comes back. Each worker has one call in hand and one queued
behind it (so it never waits for this process, busy with Scrapy, to hand it more); pages that
arrive while all those are out wait here and go together in the next call, so tagging still
works on batches (spaCy and the topic model are faster per batch) without a round trip of its
own.

The pool forks its workers before the crawl starts (:meth:`WorkerPool.start`), so they
inherit the loaded tagger instead of unpickling a spaCy pipeline, and are forked from a
process that has no reactor threads yet. Where fork is unavailable, use ``--workers 0``
(work runs in the crawl's own process, as without a pool).

A page may carry ``on_send``, called just before it leaves for a worker (or is extracted here):
the spider uses it to put the source's newest site template in the page's hints
(:mod:`crawler.extract.site_memory`), so a page that waited for a worker is cleaned by what the
pages before it taught. The template is one shared set per source, which pickle writes once
per call, however many of the call's pages carry it.

Each page comes back with how long its extraction and its share of the batch's tagging took
in the worker, summed into Scrapy stats under ``tidings/seconds/<stage>`` so benchmarks can
report time per stage.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any, NamedTuple

from scrapy.crawler import Crawler

from crawler.run.by_reference import unwrap
from tidings.core.tagging import ArticleTagger

logger = logging.getLogger(__name__)

STAGE_STAT = "tidings/seconds/"
TAGGING_ERRORS_STAT = "tidings/errors/tagging"
_PR_SET_PDEATHSIG = 1
#: Pages a worker takes at most in one call: ~1 s of work on the generated site, ~2 s on real
#: pages. Small enough that the pages the crawl holds for the pool spread over every call out
#: (so no worker waits while another works through a long call) and the crawl's last calls end
#: close together; large enough that tagging works on whole batches: spaCy's recogniser steps
#: through a batch's texts together, so a call of 64 tags an article for ~0.4 CPU-ms less than
#: a call of 16 (6.26 -> 5.88 ms, same entities and topics), at the cost of ~4x the fetched
#: pages held for the pool (``in_flight_bytes``; docs/benchmarks.md, Crawl, branch speed8).
DEFAULT_MAX_BATCH = 64
#: Worker calls out at once, per worker: the one it works on and the next, queued.
CALLS_PER_WORKER = 2
#: What a fetched page is reckoned to weigh while it waits for a worker (real news pages
#: average ~120 KB; Scrapy counts a response's body bytes).
PAGE_BYTES = 128 * 1024

#: The tagger inherited by a forked worker (set by the pool initializer).
_worker_tagger: ArticleTagger | None = None

Extract = Callable[..., dict[str, Any]]
#: Called just before a page is sent (or extracted in-process): last-moment hints.
OnSend = Callable[[], None] | None


class Finished(NamedTuple):
    """One page back from a worker: its tagged record, or what extraction raised."""

    outcome: dict[str, Any] | Exception
    extract_s: float
    #: this record's share of the batch's tagging time (0 for a page that failed)
    tag_s: float
    #: tagging the batch failed: the record comes back untagged (reclassify later)
    untagged: bool


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


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives the trip back; else a plain one with the same words."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any exception class may refuse to pickle
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _finish_pages(extract: Extract, pages: list[tuple[Any, ...]]) -> list[Finished]:
    """Worker: extract each page, then tag all the records together; one result per page."""
    outcomes: list[tuple[dict[str, Any] | Exception, float]] = []
    for args in pages:
        started = time.perf_counter()
        try:
            outcome: dict[str, Any] | Exception = extract(*args)
        except Exception as exc:  # noqa: BLE001 - the spider reports it for this page alone
            outcome = _portable(exc)
        outcomes.append((outcome, time.perf_counter() - started))
    records = [o for o, _ in outcomes if isinstance(o, dict)]
    tag_share, untagged = 0.0, False
    if _worker_tagger is not None and records:
        started = time.perf_counter()
        try:
            _worker_tagger.tag(records)
        except Exception:  # store untagged rather than lose the pages; reclassify later
            logger.exception("tagging a batch of %d articles failed", len(records))
            untagged = True
        tag_share = (time.perf_counter() - started) / len(records)
    return [
        Finished(o, s, tag_share, untagged) if isinstance(o, dict) else Finished(o, s, 0.0, False)
        for o, s in outcomes
    ]


class WorkerPool:
    """``workers`` forked processes that extract and tag the pages of one crawl."""

    def __init__(
        self, workers: int, tagger: ArticleTagger | None = None, max_batch: int = DEFAULT_MAX_BATCH
    ) -> None:
        if workers < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.workers = workers
        self.has_tagger = tagger is not None
        self.max_batch = max(1, max_batch)
        self.executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_init_worker,
            initargs=(tagger,),
        )
        # pages waiting for a worker call, and how many calls are out
        self._waiting: list[tuple[Extract, tuple[Any, ...], asyncio.Future[Finished], OnSend]]
        self._waiting = []
        self._out = 0

    @property
    def in_flight_bytes(self) -> int:
        """Bytes of fetched pages the crawl should hold for this pool: every call out full,
        and as many pages again waiting for the next call. Scrapy stops downloading while its
        responses in hand weigh more than ``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` (5 MB by default,
        ~40 real pages): less than the calls out hold, so the workers ran dry while the
        crawl waited for a call to come back before it fetched more."""
        return (self.workers * CALLS_PER_WORKER + 1) * self.max_batch * PAGE_BYTES

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

    async def finish(self, extract: Extract, *args: Any, on_send: OnSend = None) -> Finished:
        """``extract(*args)`` in a worker, the record tagged there too (if the pool has a
        tagger); ``extract`` must be importable. Exceptions come back in ``outcome``."""
        future: asyncio.Future[Finished] = asyncio.get_running_loop().create_future()
        self._waiting.append((extract, args, future, on_send))
        self._send()
        return await future

    def _send(self) -> None:
        """Send what waits, all of it (up to ``max_batch``) in one call, while calls are free."""
        while self._waiting and self._out < self.workers * CALLS_PER_WORKER:
            extract = self._waiting[0][0]
            batch = [w for w in self._waiting if w[0] is extract][: self.max_batch]
            taken = {id(w) for w in batch}
            self._waiting = [w for w in self._waiting if id(w) not in taken]
            futures = [future for _, _, future, _ in batch]
            for *_, on_send in batch:
                if on_send is not None:
                    on_send()
            try:
                call = self.executor.submit(_finish_pages, extract, [a for _, a, _, _ in batch])
            except Exception as exc:  # noqa: BLE001 - a broken pool fails these pages, not the crawl
                for future in futures:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self._out += 1
            asyncio.wrap_future(call).add_done_callback(
                lambda done, futures=futures: self._returned(done, futures)
            )

    def _returned(self, call: asyncio.Future[list[Finished]], futures: list[Any]) -> None:
        self._out -= 1
        error = None if call.cancelled() else call.exception()
        for i, future in enumerate(futures):
            if future.done():  # its page was cancelled meanwhile (the crawl is closing)
                continue
            if call.cancelled():
                future.cancel()
            elif error is not None:
                future.set_exception(error)  # the worker died or the pool broke
            else:
                future.set_result(call.result()[i])
        # next loop turn: the pages just back are learnt first (their site memory goes along)
        asyncio.get_running_loop().call_soon(self._send)

    def close(self) -> None:
        """Stop the workers (waits for work in progress)."""
        self.executor.shutdown(wait=True, cancel_futures=True)


def crawl_pool(crawler: Crawler) -> WorkerPool | None:
    """The crawl's worker pool (setting ``TIDINGS_POOL``), or None to work in-process."""
    pool = unwrap(crawler.settings.get("TIDINGS_POOL"))
    return pool if isinstance(pool, WorkerPool) else None


def add_seconds(crawler: Crawler, stage: str, seconds: float) -> None:
    """Add ``seconds`` to the time spent in ``stage`` (a Scrapy stat, in ms for exact sums)."""
    crawler.stats.inc_value(f"{STAGE_STAT}{stage}_ms", round(seconds * 1000))


async def finish_page(
    crawler: Crawler, extract: Extract, *args: Any, on_send: OnSend = None
) -> dict[str, Any]:
    """The page's record: extracted and tagged in the crawl's pool if it has one, else only
    extracted here (the item pipeline then tags whole batches); timed per stage."""
    pool = crawl_pool(crawler)
    if pool is None:
        if on_send is not None:
            on_send()
        record, seconds = _timed_call(extract, args)
        add_seconds(crawler, "extract", seconds)
        return record
    done = await pool.finish(extract, *args, on_send=on_send)
    add_seconds(crawler, "extract", done.extract_s)
    if isinstance(done.outcome, Exception):
        raise done.outcome
    if pool.has_tagger:
        add_seconds(crawler, "tag", done.tag_s)
    if done.untagged:
        crawler.stats.inc_value(TAGGING_ERRORS_STAT)
    return done.outcome
