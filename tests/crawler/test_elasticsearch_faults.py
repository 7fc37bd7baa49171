"""Faults on a real Elasticsearch node: SIGKILLed mid-crawl, then brought back.

The module starts its own node (the session's node serves every other test and must not die)
and runs one scenario, recorded in ``Outage``: the API is serving from the node, a crawl is
indexing into it, the node is SIGKILLed; the crawl finishes storing, the API answers while the
node is down, the node restarts on the same port and data, the API recovers without a restart
and the next crawl indexes exactly the articles left pending. Each test asserts one part.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from crawl_run import REPO, crawl_command, tidings_env
from crawl_site import SiteServer, numbered_articles
from es_node import started_node
from support import free_port, wait_for_http

ARTICLES = 40


def articles(base: str) -> dict[str, tuple[int, str, bytes]]:
    """A feed of ARTICLES distinct article pages."""
    return numbered_articles(base, ARTICLES, "report", "Harbour report number {i}")


def es_get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def api_get(url: str) -> tuple[int, str, Any]:
    """(status, content type, JSON body) of a GET, errors included."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers["Content-Type"], json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], json.loads(exc.read() or b"null")


def stored_ids(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM articles")}


def pending_ids(db: Path) -> set[str]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        return {row[0] for row in conn.execute("SELECT article_id FROM index_pending")}


def index_errors(db: Path) -> list[str]:
    """Messages of the crawl errors recorded for failed index writes."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        sql = "SELECT message FROM crawl_errors WHERE kind = 'index-unavailable'"
        return [row[0] for row in conn.execute(sql)]


@dataclass
class Outage:
    """What the scenario observed, for the tests to assert on."""

    url: str = ""
    indexed_before_kill: int = 0
    first_crawl: subprocess.CompletedProcess[str] | None = None
    stored: set[str] = field(default_factory=set)
    pending: set[str] = field(default_factory=set)
    recorded_failures: list[str] = field(default_factory=list)
    api_while_down: list[tuple[int, str, Any]] = field(default_factory=list)
    api_after_restart: tuple[int, str, Any] | None = None
    second_crawl: subprocess.CompletedProcess[str] | None = None
    reindexed_after_restart: set[str] = field(default_factory=set)
    indexed_at_end: set[str] = field(default_factory=set)
    pending_at_end: set[str] = field(default_factory=set)


def index_ids(url: str, alias: str, since_ms: int = 0) -> set[str]:
    """Ids in the index (optionally only those indexed at or after ``since_ms``)."""
    query: dict[str, Any] = {"match_all": {}}
    if since_ms:
        query = {"range": {"indexed_at": {"gte": since_ms, "format": "epoch_millis"}}}
    body = json.dumps({"query": query, "size": 1000, "_source": False}).encode()
    request = urllib.request.Request(
        f"{url}/{alias}/_search", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return {hit["_id"] for hit in json.load(response)["hits"]["hits"]}


@pytest.fixture(scope="module")
def outage(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Outage]:
    node = started_node(heap="256m")
    site = SiteServer(delay=0.15, pages=articles)
    home = tmp_path_factory.mktemp("es-outage")
    db = home / "tidings.db"
    alias = f"tidings-outage-{uuid.uuid4().hex[:8]}"
    env = {**tidings_env(home), "TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": node.url,
           "TIDINGS_ES_INDEX": alias}  # fmt: skip
    crawl = crawl_command(
        home, "--feed", f"{site.base_url}/feed.rss", "--batch-size", "2",
        "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "--set", "TIDINGS_INDEX_BATCH=2",
    )  # fmt: skip
    seen = Outage(url=node.url)
    api_port = free_port()
    api = subprocess.Popen(
        [sys.executable, "-m", "tidings", "serve", "--port", str(api_port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    search = f"http://127.0.0.1:{api_port}/api/v1/search?q=harbour"
    try:
        wait_for_http(f"http://127.0.0.1:{api_port}/healthz", 120, lambda: api.poll() is None)
        proc = subprocess.Popen(
            crawl, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(urllib.error.HTTPError):  # no index yet
                seen.indexed_before_kill = es_get(f"{node.url}/{alias}/_count")["count"]
            if seen.indexed_before_kill >= 4:
                break
            time.sleep(0.1)
        node.kill()  # SIGKILL: the cluster vanishes mid-crawl
        for path in ("/api/v1/search?q=harbour", "/api/v1/recent"):
            seen.api_while_down.append(api_get(f"http://127.0.0.1:{api_port}{path}"))
        out, err = proc.communicate(timeout=300)
        seen.first_crawl = subprocess.CompletedProcess(crawl, proc.returncode, out, err)
        seen.stored, seen.pending = stored_ids(db), pending_ids(db)
        seen.recorded_failures = index_errors(db)

        restarted_ms = int(time.time() * 1000)
        node.start()  # same port, same data
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the API was not restarted: it must find the node
            seen.api_after_restart = api_get(search)
            if seen.api_after_restart[0] == 200:
                break
            time.sleep(0.5)
        seen.second_crawl = subprocess.run(
            crawl, cwd=REPO, env=env, capture_output=True, text=True, timeout=300
        )
        seen.reindexed_after_restart = index_ids(node.url, alias, restarted_ms)
        seen.indexed_at_end = index_ids(node.url, alias)
        seen.pending_at_end = pending_ids(db)
        yield seen
    finally:
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=30)
        site.stop()
        node.stop()


def test_node_was_killed_mid_crawl(outage: Outage) -> None:
    assert outage.indexed_before_kill >= 4
    assert outage.pending, "the kill came after the crawl had indexed everything"


def test_crawl_records_the_failure_and_keeps_storing(outage: Outage) -> None:
    crawl = outage.first_crawl
    assert crawl is not None
    assert f"Elasticsearch at {outage.url} is unreachable" in crawl.stderr
    assert len(outage.stored) == ARTICLES  # the store of record lost nothing
    assert outage.pending <= outage.stored
    assert outage.recorded_failures, "no index failure recorded in the store's crawl errors"
    assert all("is unreachable" in message for message in outage.recorded_failures)


def test_crawl_output_says_each_index_failure_in_one_line(outage: Outage) -> None:
    crawl = outage.first_crawl
    assert crawl is not None
    output = crawl.stdout + crawl.stderr
    assert "Traceback" not in output, output[output.find("Traceback") - 300 :][:3000]
    failures = [line for line in output.splitlines() if "stay pending for the next run" in line]
    assert len(failures) == len(outage.recorded_failures)  # one line per failed index write
    assert all(f"Elasticsearch at {outage.url} is unreachable" in line for line in failures)


def test_api_answers_503_problems_while_the_node_is_down(outage: Outage) -> None:
    for status, content_type, body in outage.api_while_down:
        assert status == 503, body
        assert content_type.startswith("application/problem+json")
        assert body["status"] == 503 and body["title"]


def test_api_recovers_by_itself_when_the_node_returns(outage: Outage) -> None:
    assert outage.api_after_restart is not None
    status, _, body = outage.api_after_restart
    assert status == 200 and body["total"] >= outage.indexed_before_kill


def test_next_crawl_indexes_exactly_the_pending_articles(outage: Outage) -> None:
    crawl = outage.second_crawl
    assert crawl is not None and crawl.returncode == 0, crawl and crawl.stderr
    assert f"{ARTICLES} seen and skipped" in crawl.stdout  # nothing fetched again
    assert outage.reindexed_after_restart == outage.pending
    assert outage.indexed_at_end == outage.stored
    assert outage.pending_at_end == set()


def test_unreachable_cluster_is_a_one_line_cli_error(tmp_path: Path) -> None:
    records = tmp_path / "one.jsonl"
    record = {"id": "x1", "url": "https://a.example/x1", "title": "Harbour reopens",
              "body": "The harbour reopened today after repairs.",
              "source": {"id": "a", "name": "A", "domain": "a.example"}}  # fmt: skip
    records.write_text(json.dumps(record) + "\n")
    closed = f"http://127.0.0.1:{free_port()}"
    env = {**os.environ, "TIDINGS_INDEX": "elasticsearch", "TIDINGS_ES_URL": closed}
    result = subprocess.run(
        [sys.executable, "-m", "tidings", "--home", str(tmp_path / "h"), "import", str(records),
         "--no-classify"], cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("tidings import: error: Elasticsearch at ")
    assert "unreachable" in result.stderr
