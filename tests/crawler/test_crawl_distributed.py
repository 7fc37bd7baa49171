"""Two crawler processes share one frontier and dupefilter in a real redis-server.

The test starts its own ``redis-server`` on a free loopback port (no persistence) and fails,
not skips, when the binary is missing: ``.ci/run`` installs it with apt-get. The loopback site
counts hits per path and per User-Agent (one per worker) and holds article pages until both
workers have shown up, so neither can finish the crawl alone.
"""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from crawl_run import REPO, crawl_command, tidings_env
from crawl_site import FILLER, page
from support import LoopbackSite, pending_ids

from crawler.run.distributed import CanonicalRedisDupeFilter, redis_keys
from tidings.core.index import EmbeddedIndex
from tidings.core.store import Store

ARTICLES = 60
CRAWL_ID = "dist-test"
WORDS = [
    "river",
    "bridge",
    "council",
    "market",
    "tram",
    "library",
    "harbour",
    "school",
    "park",
    "station",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A private redis-server on loopback, without persistence; stopped after the test."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: apt-get install -y redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def article_path(i: int) -> str:
    return f"/news/{2026 - i % 3}/story-{i}.html"


def site(base: str) -> dict[str, tuple[str, bytes]]:
    """A feed (half the stories, some with tracking parameters) and a sitemap index whose two
    sitemaps list every story, so most URLs are found twice, by either worker."""
    pages: dict[str, tuple[str, bytes]] = {
        "/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n")
    }
    for i in range(ARTICLES):
        words = " ".join(WORDS[(i + k) % len(WORDS)] for k in range(6))
        extra = f"Story {i} is about the {words}. " * 3
        html = page(f"Story {i}: the {WORDS[i % len(WORDS)]} {i}", extra=extra)
        pages[article_path(i)] = ("text/html", html.replace(FILLER, FILLER + extra, 1).encode())
    items = "".join(
        f"<item><title>Story {i}</title><link>{base}{article_path(i)}"
        f"{'?utm_source=rss' if i % 2 else ''}</link></item>"
        for i in range(0, ARTICLES, 2)
    )
    pages["/feed.rss"] = (
        "application/rss+xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{items}'
        "</channel></rss>".encode(),
    )
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    for part, wanted in (("a", range(0, ARTICLES, 2)), ("b", range(ARTICLES))):
        urls = "".join(f"<url><loc>{base}{article_path(i)}</loc></url>" for i in wanted)
        pages[f"/sitemap-{part}.xml"] = (
            "application/xml",
            f'<?xml version="1.0"?><urlset {ns}>{urls}</urlset>'.encode(),
        )
    index = "".join(f"<sitemap><loc>{base}/sitemap-{p}.xml</loc></sitemap>" for p in "ab")
    pages["/sitemap.xml"] = (
        "application/xml",
        f'<?xml version="1.0"?><sitemapindex {ns}>{index}</sitemapindex>'.encode(),
    )
    return pages


class CountingSite(LoopbackSite):
    """The site on 127.0.0.1: hits per path and per User-Agent.

    Article pages wait until every worker has sent a request: the first worker to read the
    feed queues every article, and the others must get a share before it could finish.
    """

    def __init__(self, workers: int = 2, delay: float = 0.02) -> None:
        self.hits: Counter[str] = Counter()
        self.by_agent: Counter[str] = Counter()
        self.agents: set[str] = set()
        self.lock = threading.Lock()
        self.all_here = threading.Event()
        self.workers = workers
        self.delay = delay
        super().__init__()
        self.pages = site(self.base_url)

    def get(self, request: BaseHTTPRequestHandler, path: str) -> None:
        agent = request.headers.get("User-Agent", "")
        with self.lock:
            self.hits[path] += 1
            self.agents.add(agent)
            if len(self.agents) >= self.workers:
                self.all_here.set()
            if path.startswith("/news/"):
                self.by_agent[agent] += 1
        if path.startswith("/news/"):
            self.all_here.wait(20)
            time.sleep(self.delay)
        ctype, body = self.pages.get(path, ("text/plain", b"not found"))
        self.reply(request, 200 if path in self.pages else 404, ctype, body)


def test_two_workers_share_frontier_and_dupefilter(tmp_path: Path, redis_url: str) -> None:
    import redis

    server = CountingSite()
    home = tmp_path / "home"
    try:
        procs = []
        for name, workers in (("worker-a", "0"), ("worker-b", "1")):  # in-process and pooled
            argv = crawl_command(
                home,
                "--feed", f"{server.base_url}/feed.rss",
                "--sitemap", f"{server.base_url}/sitemap.xml",
                "--redis", redis_url, "--crawl-id", CRAWL_ID, "--workers", workers,
                "--batch-size", "8", "--set", f"USER_AGENT=tidings-test-{name}",
                # a worker holds at most 4 requests, so the shared queue keeps the rest
                "--set", "CONCURRENT_REQUESTS=4", "--set", "AUTOTHROTTLE_ENABLED=false",
            )  # fmt: skip
            procs.append(
                subprocess.Popen(
                    argv,
                    cwd=REPO,
                    env=tidings_env(home),
                    text=True,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )  # fmt: skip
            )
        outputs = [p.communicate(timeout=50) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        server.stop()
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err

    articles = {article_path(i) for i in range(ARTICLES)}
    assert articles <= set(server.hits), "some articles were never fetched"
    fetched_twice = {path: n for path, n in server.hits.items() if n > 1 and path != "/robots.txt"}
    assert fetched_twice == {}, "the shared dupefilter let URLs through twice"
    assert server.hits["/robots.txt"] <= 2  # read once per worker, outside the frontier
    assert len(server.by_agent) == 2 and min(server.by_agent.values()) > 0, server.by_agent
    assert sum(server.by_agent.values()) == ARTICLES

    new = [int(re.search(r"; (\d+) new,", out)[1]) for out, _ in outputs]  # type: ignore[index]
    assert sum(new) == ARTICLES, outputs  # each article stored by exactly one worker
    with Store(home / "tidings.db") as store:
        assert store.count() == ARTICLES
        assert pending_ids(store) == []
        urls = [r["canonical_url"] for batch in store.iter_articles() for r in batch]
    assert sorted(urls) == sorted(f"{server.base_url}{p}" for p in articles)
    index = EmbeddedIndex(home / "index")
    try:
        assert index.count() == ARTICLES  # the index writer indexed the other worker's too
    finally:
        index.close()

    client = redis.Redis.from_url(redis_url)
    assert not client.exists(*redis_keys(CRAWL_ID).values())  # the last one out cleared them


def test_redis_dupefilter_uses_canonical_urls() -> None:
    from scrapy import Request

    fp = CanonicalRedisDupeFilter(server=None, key="unused").request_fingerprint
    one = fp(Request("http://Example.com:80/a?utm_source=x&b=2&a=1"))
    assert one == fp(Request("http://example.com/a?a=1&b=2"))
    assert one != fp(Request("http://example.com/a?a=1"))


def _stored(home: Path) -> int:
    db = home / "tidings.db"
    if not db.exists():
        return 0
    try:
        with Store(db) as store:
            return store.count()
    except Exception:  # noqa: BLE001 - the crawl may be creating it
        return 0


def test_killed_crawl_resumes_from_redis_and_loses_nothing(tmp_path: Path, redis_url: str) -> None:
    import redis

    server = CountingSite(workers=1, delay=0.05)
    home = tmp_path / "home"
    keys = redis_keys("resume-test")

    def argv() -> list[str]:
        return crawl_command(
            home,
            "--feed", f"{server.base_url}/feed.rss",
            "--sitemap", f"{server.base_url}/sitemap.xml",
            "--redis", redis_url, "--crawl-id", "resume-test", "--workers", "0",
            "--batch-size", "2", "--set", "CONCURRENT_REQUESTS=2",
            "--set", "AUTOTHROTTLE_ENABLED=false",
            "--set", "TIDINGS_REDIS_STALE=3",  # the killed worker counts as gone after 3 s
        )  # fmt: skip

    try:
        first = subprocess.Popen(argv(), cwd=REPO, env=tidings_env(home))
        deadline = time.monotonic() + 30
        while _stored(home) < 6 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        first.kill()
        first.wait(timeout=10)
        assert 6 <= _stored(home) < ARTICLES, "kill the crawl half-way"
        # in flight at the kill: pages the killed worker fetched (or was fetching) but never stored
        with Store(home / "tidings.db") as store:
            stored_at_kill = {
                urlsplit(r["canonical_url"]).path for batch in store.iter_articles() for r in batch
            }
        in_flight = {p for p in server.hits if p.startswith("/news/")} - stored_at_kill
        client = redis.Redis.from_url(redis_url)
        assert client.zcard(keys["requests"]) > 0  # the queue outlives the killed worker

        for _ in range(2):  # resume the queue; then a fresh crawl takes what the kill lost
            result = subprocess.run(
                argv(), cwd=REPO, env=tidings_env(home), capture_output=True, text=True,
                timeout=40,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
        assert not client.exists(*keys.values())
    finally:
        server.stop()
    with Store(home / "tidings.db") as store:
        assert store.count() == ARTICLES  # none lost
        urls = [r["canonical_url"] for batch in store.iter_articles() for r in batch]
    assert len(set(urls)) == len(urls) == ARTICLES  # none twice
    # fetched again at most once, and only pages in flight (fetched, not stored) at the kill:
    # how many that is depends on the machine's speed (the downloader, the scraper's queue and
    # the store's batch), so the test names the pages rather than guessing a count
    again = {p for p, n in server.hits.items() if p.startswith("/news/") and n > 1}
    assert again <= in_flight, again - in_flight
    assert all(server.hits[p] == 2 for p in again), again
