"""Crawl jobs started from the API: one at a time even when started at once, and a job's
record is never read half-written."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

from search_api import jobs

SLEEP = [sys.executable, "-c", "import time; time.sleep(30)"]


def _stop(home: Path) -> None:
    for job in jobs.list_jobs(home):
        if job["status"] == "running":
            meta = jobs.jobs_dir(home) / f"{job['id']}.json"
            pid = int(json.loads(meta.read_text())["pid"])
            os.killpg(pid, 15)  # the runner leads its own session: stop it and the crawl


def test_concurrent_starts_run_one_crawl(tmp_path: Path) -> None:
    """Eight requests at once (as from eight workers): one job starts, seven get JobRunning."""
    started: list[str] = []
    refused: list[str] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        try:
            started.append(jobs.start(tmp_path, SLEEP, {})["id"])
        except jobs.JobRunning as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=start) for _ in range(8)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(started) == 1 and len(refused) == 7
        assert set(refused) == set(started)
        assert [j["id"] for j in jobs.list_jobs(tmp_path)] == started
    finally:
        _stop(tmp_path)


def test_status_never_reads_a_half_written_job(tmp_path: Path) -> None:
    """Jobs start one after another while another thread reads every job's status."""
    stop = threading.Event()
    errors: list[BaseException] = []
    reads = 0

    def read() -> None:
        nonlocal reads
        while not stop.is_set():
            for path in jobs.jobs_dir(tmp_path).glob("*.json"):
                try:
                    jobs.status(tmp_path, path.stem)
                    reads += 1
                except Exception as exc:  # what an API worker would turn into a 500
                    errors.append(exc)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for r in readers:
        r.start()
    try:
        for _ in range(40):
            job: dict[str, Any] = jobs.start(tmp_path, [sys.executable, "-c", "pass"], {})
            deadline = time.monotonic() + 20
            while jobs.status(tmp_path, job["id"])["status"] == "running":  # type: ignore[index]
                assert time.monotonic() < deadline
                time.sleep(0.01)
    finally:
        stop.set()
        for r in readers:
            r.join()
    assert reads > 0 and errors == []
