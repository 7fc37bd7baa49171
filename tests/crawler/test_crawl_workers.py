"""The worker pool: a forked worker extracts a page and tags its record, so an article crosses
the process boundary once each way."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from crawl_run import REPO, tidings_env
from crawl_site import SiteServer

from crawler.extract import NotAnArticle
from crawler.run.scaling import add_scale_arguments, scale_options
from crawler.run.scrapy_settings import SCRAPER_ACTIVE_BYTES, scrapy_settings
from crawler.run.workers import (
    CALLS_PER_WORKER,
    DEFAULT_MAX_BATCH,
    PAGE_BYTES,
    Finished,
    WorkerPool,
)
from tidings.core.config import Settings
from tidings.core.store import Store

#: Runs one crawl with a pool of 2 and a tagger that stamps the pid of the process tagging.
SCRIPT = """
import json, os, sys
from crawler.run.crawl import run_crawl
from tidings.core.sources import adhoc_sources
from tidings.core.config import Settings

class PidTagger:
    def tag(self, articles):
        for a in articles:
            a["topics"] = [{"id": "stamped", "score": 1.0, "origin": "model"}]
            a["entities"] = []
            a["model_version"] = str(os.getpid())

base, home = sys.argv[1], sys.argv[2]
report = run_crawl(
    Settings.from_env(home=home), adhoc_sources([base + "/feed.rss"], [base + "/sitemap.xml"]),
    tagger=PidTagger(), log_level="WARNING", batch_size=2, workers=2,
)
print(json.dumps({"pid": os.getpid(), "report": vars(report)}))
"""


def test_pool_extracts_and_tags_in_workers(tmp_path: Path) -> None:
    server = SiteServer()
    try:
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT, server.base_url, str(tmp_path)],
            cwd=REPO, env=tidings_env(tmp_path), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])
    report = out["report"]
    assert report["inserted"] == 5 and report["articles_extracted"] == 5
    assert report["errors"].get("not-article") == 1  # NotAnArticle crossed the process boundary
    assert set(report["stage_seconds"]) >= {"extract", "tag", "store", "index"}
    with Store(tmp_path / "tidings.db") as store:
        records = [r for batch in store.iter_articles() for r in batch]
    taggers = {r["model_version"] for r in records}
    assert len(records) == 5 and all(r["topics"][0]["id"] == "stamped" for r in records)
    assert str(out["pid"]) not in taggers  # tagged in a worker, not in the crawl's process
    assert server.hits["/news/time-story.html"] == 1


def page_record(n: int) -> dict[str, Any]:
    """Stands in for ``extract_article`` (importable, so a worker runs it); page 0 is no article."""
    if n == 0:
        raise NotAnArticle("page 0 has no story")
    return {"id": str(n), "extracted_by": os.getpid()}


class BatchTagger:
    """Stamps each record with the process tagging it and the size of the batch it came in."""

    def tag(self, articles: list[dict[str, Any]]) -> None:
        for article in articles:
            article["tagged_by"] = os.getpid()
            article["batch"] = len(articles)


class BrokenTagger:
    def tag(self, articles: list[dict[str, Any]]) -> None:
        raise RuntimeError("model file unreadable")


def finish_all(pool: WorkerPool, pages: range) -> tuple[list[Finished], int]:
    """Hand all ``pages`` to ``pool`` at once; their results and how many worker calls it took."""
    calls = 0
    submit = pool.executor.submit

    def counted(fn: Any, *args: Any) -> Any:
        nonlocal calls
        calls += 1
        return submit(fn, *args)

    pool.executor.submit = counted  # type: ignore[method-assign]

    async def crawl() -> list[Finished]:
        return await asyncio.gather(*(pool.finish(page_record, n) for n in pages))

    try:
        # A thread of its own: an earlier test's Playwright (sync API) may hold this thread's loop.
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, crawl()).result(), calls
    finally:
        pool.close()


def test_a_page_goes_to_a_worker_once_and_comes_back_extracted_and_tagged() -> None:
    results, calls = finish_all(WorkerPool(1, BatchTagger()), range(6))
    # pages 0 and 1 found calls free (one to work on, one queued) and went alone; the four that
    # arrived meanwhile went together
    assert calls == 3
    assert isinstance(results[0].outcome, NotAnArticle)
    assert "page 0 has no story" in str(results[0].outcome)
    records = [r.outcome for r in results[1:]]
    assert [r["id"] for r in records] == ["1", "2", "3", "4", "5"]  # type: ignore[index]
    for record in records:
        assert isinstance(record, dict)
        assert record["extracted_by"] == record["tagged_by"] != os.getpid()  # one trip, one worker
    assert [r["batch"] for r in records] == [1, 4, 4, 4, 4]  # type: ignore[index]
    assert all(r.tag_s > 0 and r.extract_s > 0 for r in results[1:])


def test_worker_batches_are_capped_and_a_tagging_failure_keeps_the_records() -> None:
    results, calls = finish_all(WorkerPool(1, BrokenTagger(), max_batch=2), range(1, 6))
    assert calls == 4  # 1 and 2 at once (two calls free), then 3 + 4 (capped at 2), then 5
    assert [r.outcome["id"] for r in results] == ["1", "2", "3", "4", "5"]  # type: ignore[index]
    assert all(r.untagged and "topics" not in r.outcome for r in results)  # type: ignore[operator]


def test_a_call_takes_a_short_batch_by_default_so_waiting_pages_spread_over_calls() -> None:
    most = DEFAULT_MAX_BATCH
    results, calls = finish_all(WorkerPool(1, BatchTagger()), range(1, 2 * most + 9))
    batches = [r.outcome["batch"] for r in results]  # type: ignore[index]
    # 1 and 2 went alone (two calls free); the rest waited and went as most + most + 6 (16 + 16
    # + 6 when calls took 16), not all at once
    assert calls == 5
    assert max(batches) == most and batches.count(most) == 2 * most and batches.count(6) == 6


def test_the_crawl_holds_pages_for_every_call_out_and_the_next(tmp_path: Path) -> None:
    """Scrapy stops fetching while the responses it holds weigh more than its scraper budget;
    with a pool that budget must cover the pages in the workers' calls and a call's worth
    waiting, or the workers run dry while the crawl waits for a call to come back."""
    settings = Settings.from_env(home=tmp_path)
    pool = WorkerPool(2, max_batch=16)
    try:
        budget = scrapy_settings(settings, pool=pool)["SCRAPER_SLOT_MAX_ACTIVE_SIZE"]
        held = budget // PAGE_BYTES
        assert held >= 2 * CALLS_PER_WORKER * 16 + 16
        assert budget > SCRAPER_ACTIVE_BYTES  # Scrapy's 5 MB held ~40 real pages: too few
    finally:
        pool.close()
    small = WorkerPool(1, max_batch=1)  # a tiny pool never gets less than Scrapy's own room
    try:
        assert scrapy_settings(settings, pool=small)["SCRAPER_SLOT_MAX_ACTIVE_SIZE"] == (
            SCRAPER_ACTIVE_BYTES
        )
    finally:
        small.close()
    assert "SCRAPER_SLOT_MAX_ACTIVE_SIZE" not in scrapy_settings(settings)  # no pool: Scrapy's


def test_scale_options() -> None:
    parser = argparse.ArgumentParser()
    add_scale_arguments(parser)
    opts = scale_options(parser.parse_args(["--workers", "3", "--crawl-id", "night.1"]))
    assert opts == {"workers": 3, "redis_url": None, "crawl_id": "night.1"}
    default = scale_options(parser.parse_args([]))["workers"]
    assert default == (0 if len(os.sched_getaffinity(0)) == 1 else len(os.sched_getaffinity(0)))
    unreachable = ["--redis", "redis://127.0.0.1:1/0"]  # nothing listens on port 1
    for bad in (["--workers", "-1"], ["--redis", "http://h"], ["--crawl-id", "a b"], unreachable):
        with pytest.raises(ValueError):
            scale_options(parser.parse_args(bad))


def _children(pid: int) -> list[int]:
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(entry.name))
    return kids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_die_with_a_killed_crawl(tmp_path: Path) -> None:
    server = SiteServer(delay=0.5)
    proc = subprocess.Popen(
        [sys.executable, "-m", "tidings", "crawl", "--feed", f"{server.base_url}/feed.rss",
         "--home", str(tmp_path), "--no-classify", "--workers", "2", "--log-level", "WARNING"],
        cwd=REPO, env=tidings_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 20
        while len(workers := _children(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) >= 2, "the pool did not start"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        alive = [w for w in workers if _alive(w)]
        assert alive == [], "pool workers outlived the killed crawl"
    finally:
        if proc.poll() is None:
            proc.kill()
        server.stop()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
