"""Tidings across machines: namespaced hosts on one bridge, crawling and serving together.

Hosts (network namespaces, :mod:`network`): ``svc`` runs PostgreSQL (the store of record),
Redis (the shared frontier) and Elasticsearch (the index); ``site`` serves two generated
publishers (:mod:`news_site`, ~2,000 articles, every tenth Herald story syndicated to the
Courier); ``crawl1`` and ``crawl2`` run ``tidings crawl --redis`` over the same sitemaps and
feeds; ``api`` runs ``tidings serve``. Nothing is shared between hosts but the network.

Phase 1 crawls everything: each page is fetched once across both crawler hosts, each article
stored once in PostgreSQL and indexed once in Elasticsearch, syndicated copies share a
cluster, and the API host serves them (search, recent, an article's other sources, a feed).
Phase 2 publishes more stories, SIGKILLs every process of one crawler host mid-crawl and
restarts it: nothing is lost or stored twice. Root only (CI is root); elsewhere it skips,
in CI it fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from netns_hosts import Network, can_make_hosts
from news_site import SYNDICATE_EVERY

REPO = Path(__file__).resolve().parents[2]
HERALD, COURIER = 1700, 150  # + one Courier copy of every tenth Herald story: 2,020 articles
GROW = 300  # phase 2's new Herald stories (+30 syndicated copies)
HOSTS = ["svc", "site", "crawl1", "crawl2", "api"]
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy

pytestmark = pytest.mark.timeout(1200)


def expected_urls(site: str, herald: int) -> set[str]:
    urls = {f"http://{site}:8001/news/h{i}.html" for i in range(herald)}
    urls |= {f"http://{site}:8002/wire/h{i}.html" for i in range(0, herald, SYNDICATE_EVERY)}
    urls |= {f"http://{site}:8002/local/c{j}.html" for j in range(COURIER)}
    return urls


def get(url: str, timeout: float = 30) -> bytes:
    with DIRECT.open(url, timeout=timeout) as response:
        return response.read()


def first_line(process: subprocess.Popen[str], what: str, timeout: float) -> str:
    """The first stdout line of a server that prints its URL (or 'ready') once it serves."""
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    buffered = ""
    while time.monotonic() < deadline:
        chunk = process.stdout.readline()
        buffered += chunk or ""
        if buffered.endswith("\n"):
            return buffered.strip()
        if process.poll() is not None:
            raise AssertionError(f"{what} exited ({process.returncode}) before it was ready")
        time.sleep(0.2)
    raise AssertionError(f"{what} not ready after {timeout:.0f} s")


@pytest.fixture
def network() -> Iterator[Network]:
    reason = can_make_hosts()
    if reason is not None:
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(f"the multi-host test must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    with Network(HOSTS) as net:
        yield net


class Cluster:
    """The services and the environment every Tidings host gets."""

    def __init__(self, net: Network, tmp: Path) -> None:
        self.net, self.tmp = net, tmp
        svc, python = net.ip["svc"], sys.executable
        tidings = [python, "-m", "tidings", "dev"]
        pg = net.spawn("svc", [*tidings, "postgres", "--host", svc, "--port", "5432"],
                       stdout=subprocess.PIPE, text=True)  # fmt: skip
        es = net.spawn("svc", [*tidings, "elasticsearch", "--host", svc, "--port", "9200"],
                       stdout=subprocess.PIPE, text=True)  # fmt: skip
        net.spawn("svc", ["redis-server", "--bind", svc, "--port", "6379", "--save", "",
                          "--protected-mode", "no",  # a private test network, no password
                          "--appendonly", "no"], stdout=subprocess.DEVNULL)  # fmt: skip
        site = net.spawn("site", [python, str(Path(__file__).with_name("news_site.py")),
                                  net.ip["site"], str(HERALD), str(COURIER)],
                         stdout=subprocess.PIPE, text=True)  # fmt: skip
        self.store_url = first_line(pg, "PostgreSQL", 120)
        assert first_line(site, "the news site", 60) == "ready"
        self.es_url = first_line(es, "Elasticsearch", 600)
        self.redis_url = f"redis://{svc}:6379/0"
        self.site = net.ip["site"]

    def env(self, host: str) -> dict[str, str]:
        """What a Tidings host needs: the three services, and a home of its own."""
        keep = {k: v for k, v in os.environ.items()
                if not k.lower().endswith("_proxy") and not k.startswith("TIDINGS_")}  # fmt: skip
        return {
            **keep, "PYTHONPATH": str(REPO), "TIDINGS_HOME": str(self.tmp / host),
            "TIDINGS_STORE_URL": self.store_url, "TIDINGS_INDEX": "elasticsearch",
            "TIDINGS_ES_URL": self.es_url,
        }  # fmt: skip

    def crawl(self, host: str, crawl_id: str) -> subprocess.Popen[str]:
        base_h, base_c = f"http://{self.site}:8001", f"http://{self.site}:8002"
        argv = [
            sys.executable, "-m", "tidings", "crawl",
            "--sitemap", f"{base_h}/sitemap.xml", "--sitemap", f"{base_c}/sitemap.xml",
            "--feed", f"{base_h}/feed.rss", "--feed", f"{base_c}/feed.rss",
            "--redis", self.redis_url, "--crawl-id", crawl_id, "--force",
            "--no-classify", "--workers", "0", "--batch-size", "32", "--log-level", "WARNING",
            "--set", "AUTOTHROTTLE_ENABLED=false", "--set", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            "--set", f"USER_AGENT=tidings-{host}",
        ]  # fmt: skip
        return self.net.spawn(host, argv, env=self.env(host), cwd=REPO, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip

    def hits(self) -> dict[str, int]:
        return json.loads(get(f"http://{self.site}:8001/_hits"))

    def stored(self) -> dict[str, dict[str, Any]]:
        """canonical URL -> (id, cluster_id) of every stored article, straight from SQL."""
        with psycopg.connect(self.store_url) as conn:
            rows = conn.execute("SELECT canonical_url, id, cluster_id FROM articles").fetchall()
        assert len(rows) == len({r[0] for r in rows}), "an article stored twice"
        return {url: {"id": aid, "cluster": cluster} for url, aid, cluster in rows}

    def pending(self) -> int:
        with psycopg.connect(self.store_url) as conn:
            return conn.execute("SELECT count(*) FROM index_pending").fetchone()[0]

    def indexed_ids(self) -> list[str]:
        get(f"{self.es_url}/_refresh", timeout=60)
        body = json.dumps({"size": 10_000, "_source": False, "query": {"match_all": {}}})
        request = urllib.request.Request(
            f"{self.es_url}/tidings-articles/_search", data=body.encode(),
            headers={"Content-Type": "application/json"},
        )  # fmt: skip
        with DIRECT.open(request, timeout=60) as response:
            hits = json.load(response)["hits"]["hits"]
        return [hit["_id"] for hit in hits]


def finish(process: subprocess.Popen[str], what: str, timeout: float = 600) -> str:
    """Wait for a crawl to end well; its summary (stdout) and log."""
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, f"{what}: {err[-3000:]}"
    return out + err


def test_two_crawler_hosts_one_store_one_index_one_api(network: Network, tmp_path: Path) -> None:
    started = time.monotonic()
    cluster = Cluster(network, tmp_path)
    ready = time.monotonic()

    # -- phase 1: both crawler hosts crawl the same sources to the end ---------------------
    crawls = [cluster.crawl("crawl1", "phase1"), cluster.crawl("crawl2", "phase1")]
    logs = [finish(p, f"crawl on {h}") for p, h in zip(crawls, ("crawl1", "crawl2"), strict=True)]
    crawled = time.monotonic()
    urls = expected_urls(cluster.site, HERALD)
    hits = cluster.hits()
    assert set(hits) == urls, "pages missing or unexpected"
    assert {u: n for u, n in hits.items() if n != 1} == {}, "a page fetched twice"
    new = [int(m[1]) for log in logs for m in [re.search(r"; (\d+) new,", log)] if m]
    assert len(new) == 2 and min(new) > 0 and sum(new) == len(urls), logs  # both did a share
    stored = cluster.stored()
    assert set(stored) == urls
    assert cluster.pending() == 0
    indexed = cluster.indexed_ids()
    assert len(indexed) == len(set(indexed)) == len(urls)
    assert set(indexed) == {a["id"] for a in stored.values()}
    for i in range(0, HERALD, SYNDICATE_EVERY):  # syndicated copies: one cluster per story
        herald = stored[f"http://{cluster.site}:8001/news/h{i}.html"]
        courier = stored[f"http://{cluster.site}:8002/wire/h{i}.html"]
        assert courier["cluster"] == herald["cluster"], i
    assert len({a["cluster"] for a in stored.values()}) == HERALD + COURIER

    # -- the API host serves what both crawler hosts stored --------------------------------
    api = f"http://{network.ip['api']}:8000"
    server = network.spawn(
        "api", [sys.executable, "-m", "tidings", "serve", "--host", network.ip["api"],
                "--port", "8000"], env=cluster.env("api"), cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            get(f"{api}/readyz", timeout=5)
            break
        except OSError:
            assert server.poll() is None and time.monotonic() < deadline, "API did not start"
            time.sleep(0.5)
    found = json.loads(get(f"{api}/api/v1/search?q=story&limit=5"))
    assert found["total"] == len(urls)
    courier_only = json.loads(get(f"{api}/api/v1/search?q=%22Courier+story+7%22"))
    assert courier_only["hits"] and courier_only["hits"][0]["title"] == "Courier story 7"
    recent = json.loads(get(f"{api}/api/v1/recent?limit=20"))["articles"]
    assert len(recent) == 20
    copy = stored[f"http://{cluster.site}:8002/wire/h20.html"]
    detail = json.loads(get(f"{api}/api/v1/articles/{copy['id']}"))
    assert detail["id"] == copy["id"]
    assert f"http://{cluster.site}:8001/news/h20.html" in json.dumps(detail)  # its other source
    feed = get(f"{api}/feeds/recent.rss").decode()
    assert feed.count("<item>") >= 10 and "story" in feed
    served = time.monotonic()

    # -- phase 2: more news; one crawler host dies mid-crawl and comes back -----------------
    get(f"http://{cluster.site}:8001/_grow?n={GROW}")
    urls = expected_urls(cluster.site, HERALD + GROW)
    before = len(stored)
    # a crawl id per phase: each phase starts from a fresh queue and dupefilter, whatever
    # the previous phase's last worker left in Redis
    crawls = [cluster.crawl("crawl1", "phase2"), cluster.crawl("crawl2", "phase2")]
    deadline = time.monotonic() + 300
    while len(cluster.stored()) < before + 60:
        if crawls[0].poll() is not None or time.monotonic() > deadline:
            outputs = [p.communicate(timeout=120) for p in crawls]
            raise AssertionError(f"crawl1 ended or stalled before the kill: {outputs}")
        time.sleep(0.2)
    assert network.kill_host("crawl1") > 0  # every process of the host, SIGKILL
    assert len(cluster.stored()) < len(urls), "killed too late to prove anything"
    crawls[0] = cluster.crawl("crawl1", "phase2")  # back up: it joins the same crawl
    for process, host in zip(crawls, ("crawl1", "crawl2"), strict=True):
        finish(process, f"crawl on {host} after the kill")
    # requests the killed host had taken are lost to that crawl (the shared dupefilter has
    # them); the next crawl fetches them, as their articles were never stored
    finish(cluster.crawl("crawl2", "phase3"), "the crawl after")
    recovered = time.monotonic()

    stored = cluster.stored()
    assert set(stored) == urls, "an article lost"
    assert cluster.pending() == 0
    indexed = cluster.indexed_ids()
    assert len(indexed) == len(set(indexed)) == len(urls)
    assert set(indexed) == {a["id"] for a in stored.values()}
    hits = cluster.hits()
    old = expected_urls(cluster.site, HERALD)
    assert all(hits[u] == 1 for u in old), "a page stored before was fetched again"
    refetched = {u: n for u, n in hits.items() if n > 1}
    assert all(n == 2 for n in refetched.values()), refetched  # only pages the kill cut off
    for i in range(0, HERALD + GROW, SYNDICATE_EVERY):
        herald = stored[f"http://{cluster.site}:8001/news/h{i}.html"]
        assert stored[f"http://{cluster.site}:8002/wire/h{i}.html"]["cluster"] == herald["cluster"]
    figures = {
        "articles": len(urls), "phase1_articles": before,
        "services_ready_s": round(ready - started, 1),
        "phase1_crawl_s": round(crawled - ready, 1),
        "phase1_articles_per_s": round(before / (crawled - ready), 1),
        "api_checks_s": round(served - crawled, 1),
        "phase2_with_kill_s": round(recovered - served, 1),
        "refetched_after_kill": len(refetched), "stored_twice": 0, "indexed_twice": 0,
    }  # fmt: skip
    print("multihost figures:", json.dumps(figures))
