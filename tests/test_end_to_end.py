"""End to end: `tidings demo` crawls the demo site over loopback, tags, indexes and serves it.

One real process runs the whole product (demo site, Scrapy crawl, topic model, spaCy, SQLite,
the index, Flask); the assertions go through its HTTP API, as a user's would. Every test runs
twice: on the embedded index (tantivy) and on Elasticsearch (``TIDINGS_INDEX=elasticsearch``,
the session's real node from ``tests/conftest.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import feedparser
import pytest
from support import free_port, get_json, wait_for_http

from tidings.core.store import Store
from tidings.demo.articles import (
    DemoArticle,
    broken_paths,
    events,
    load_articles,
    same_kind_events,
    syndicated_pairs,
)

ARTICLES = load_articles()
SERVED = [a for a in ARTICLES if a.served]


@dataclass
class Demo:
    api: str
    site: str
    home: Path
    log: Path
    process: subprocess.Popen

    def get(self, path: str, **params: object) -> dict:
        query = urllib.parse.urlencode(params, doseq=True)
        return get_json(f"{self.api}{path}" + (f"?{query}" if query else ""))

    def all_hits(self) -> list[dict]:
        params: dict[str, object] = {"sort": "date", "limit": 100}
        result = self.get("/api/v1/search", **params)
        hits = result["hits"]
        while result["next_cursor"]:
            result = self.get("/api/v1/search", **params, cursor=result["next_cursor"])
            hits += result["hits"]
        return hits

    def hit_for(self, article: DemoArticle) -> dict:
        url = f"{self.site}{article.url_path}"
        matches = [h for h in self.all_hits() if h["url"] == url]
        assert len(matches) == 1, f"{url} stored {len(matches)} times"
        return matches[0]


@pytest.fixture(scope="module", params=["embedded", "elasticsearch"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    home = tmp_path_factory.mktemp(f"demo-home-{request.param}")
    log = home / "demo.log"
    port, site_port = free_port(), free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "TIDINGS_INDEX": request.param}
    if request.param == "elasticsearch":
        env["TIDINGS_ES_URL"] = request.getfixturevalue("es_url")
        env["TIDINGS_ES_INDEX"] = f"tidings-e2e-{uuid.uuid4().hex[:12]}"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "tidings", "demo", "--home", str(home),
             "--port", str(port), "--site-port", str(site_port)],
            stdout=log_file, stderr=subprocess.STDOUT, env=env,
        )
    api = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{api}/healthz", timeout=300, alive=lambda: process.poll() is None)
    except Exception:
        process.kill()
        pytest.fail(f"demo did not come up:\n{log.read_text()[-4000:]}")
    yield Demo(api, f"http://127.0.0.1:{site_port}", home, log, process)
    if process.poll() is None:
        process.kill()


def test_every_served_article_is_stored_once(demo: Demo) -> None:
    hits = demo.all_hits()
    urls = [h["url"] for h in hits]
    assert len(urls) == len(set(urls)), "an article was stored twice"
    expected = {f"{demo.site}{a.url_path}" for a in SERVED}
    assert set(urls) == expected
    # Most articles are listed in a feed *and* a sitemap: still one record each.
    assert sum(a.in_feed and a.sitemap for a in SERVED) >= 30


def test_sitemap_only_articles_are_found(demo: Demo) -> None:
    sitemap_only = [a for a in SERVED if a.sitemap_only]
    assert len(sitemap_only) >= 6
    for article in sitemap_only:
        assert demo.hit_for(article)["title"] == article.title


def test_dates_match_the_pages(demo: Demo) -> None:
    hits = {h["url"]: h for h in demo.all_hits()}
    dated = [a for a in SERVED if a.published_utc is not None]
    assert len(dated) >= 40
    for article in dated:
        hit = hits[f"{demo.site}{article.url_path}"]
        assert hit["published_at"][:10] == article.published_utc.date().isoformat(), article.path


def test_search_company_results_found_with_topics_and_entities(demo: Demo) -> None:
    result = demo.get("/api/v1/search", q="revenue falls ad sales")
    titles = [h["title"] for h in result["hits"]]
    assert "Baiyun Search's revenue falls 3% as ad sales slump" in titles
    hit = result["hits"][titles.index("Baiyun Search's revenue falls 3% as ad sales slump")]
    assert hit["published_at"].startswith("2026-11-18T12:30:00")
    assert "business" in {t["id"] for t in hit["topics"]}
    assert any(h.startswith("<b>") or "<b>" in h for h in hit["highlights"].get("title", []))
    article = demo.get(f"/api/v1/articles/{hit['id']}")
    assert article["date_source"] == "jsonld"
    orgs = {e["key"] for e in article["entities"] if e["label"] == "ORG"}
    assert any("baiyun" in key for key in orgs), orgs
    assert "Li Weiming" in {e["text"] for e in article["entities"] if e["label"] == "PERSON"}


def test_every_article_has_topics(demo: Demo) -> None:
    untagged = [h["url"] for h in demo.all_hits() if not h["topics"]]
    assert not untagged


def test_syndicated_pairs_are_one_story(demo: Demo) -> None:
    pairs = syndicated_pairs()
    assert len(pairs) >= 2
    for original, copy in pairs:
        first, second = demo.hit_for(original), demo.hit_for(copy)
        assert first["cluster_id"] == second["cluster_id"], (original.path, copy.path)
        cluster = demo.get(f"/api/v1/articles/{first['id']}")["cluster"]
        assert second["id"] in {member["id"] for member in cluster}


def test_distinct_stories_with_shared_boilerplate_are_not_clustered(demo: Demo) -> None:
    briefs = [a for a in SERVED if a.special and "boilerplate" in a.special]
    assert len(briefs) == 2
    first, second = (demo.hit_for(a) for a in briefs)
    assert first["cluster_id"] != second["cluster_id"]
    clusters = {h["cluster_id"] for h in demo.all_hits()}
    assert len(clusters) == len(SERVED) - len(syndicated_pairs())


def test_each_event_several_outlets_report_is_one_story(demo: Demo) -> None:
    hits = {h["url"]: h for h in demo.all_hits()}
    reported = events()
    assert len(reported) >= 4
    for event, members in reported.items():
        urls = {f"{demo.site}{a.url_path}" for a in members}
        story_ids = {hits[url]["story_id"] for url in urls}
        assert len(story_ids) == 1, (event, story_ids)
        story = demo.get(f"/api/v1/stories/{story_ids.pop()}")
        assert {a["url"] for a in story["articles"]} == urls, event  # all of them, nothing else
        outlets = {a.outlet for a in members}
        assert {s["id"] for s in story["sources"]} == outlets, event
        assert story["article_count"] == len(members) and story["source_count"] == len(outlets)
        assert story["headline"] in {a.title for a in members}
        assert sum(day["count"] for day in story["timeline"]) == len(members)


def test_same_kind_events_are_two_stories(demo: Demo) -> None:
    hits = {h["url"]: h for h in demo.all_hits()}
    pairs = same_kind_events()
    assert pairs
    for first, second in pairs:
        (one,), (two,) = (
            {hits[f"{demo.site}{a.url_path}"]["story_id"] for a in events()[event]}
            for event in (first, second)
        )
        assert one != two, (first, second)


def test_stories_list_filters_by_outlet(demo: Demo) -> None:
    outlet = next(a.outlet for a in ARTICLES if a.outlet != "circuit-daily")
    listed = demo.get("/api/v1/stories", source=outlet, limit=50)["stories"]
    expected = {a.event for a in SERVED if a.outlet == outlet}
    assert len(listed) == len(expected)
    for story in listed:
        assert outlet in {s["id"] for s in story["sources"]}
        assert story["source_count"] >= 2  # every story of the other outlets is shared


def test_broken_page_is_reported_and_skipped(demo: Demo) -> None:
    (broken,) = broken_paths()
    url = f"{demo.site}{broken}"
    assert url not in {h["url"] for h in demo.all_hits()}
    with Store(demo.home / "tidings.db") as store:
        errors = [e for e in store.errors() if e["url"] == url]
    assert errors and errors[0]["kind"] == "http"
    assert "500" in errors[0]["message"]
    assert url in demo.log.read_text()


def test_latin1_page_is_decoded(demo: Demo) -> None:
    hit = demo.get("/api/v1/search", q="Löwenstrasse")["hits"][0]
    assert hit["title"] == "Société Générale opens café-style branch on Zürich's Löwenstrasse"


def test_facets_and_topic_filter(demo: Demo) -> None:
    result = demo.get("/api/v1/search", q="")
    facets = {f["value"]: f["count"] for f in result["facets"]["topic"]}
    assert facets.get("technology", 0) >= 5
    sources = {f["value"]: f["count"] for f in result["facets"]["source"]}
    assert sources == Counter(a.outlet for a in SERVED)  # Circuit Daily and the other outlets
    filtered = demo.get("/api/v1/search", topic="technology", limit=100)
    assert filtered["total"] == facets["technology"]
    assert all("technology" in {t["id"] for t in h["topics"]} for h in filtered["hits"])


def test_recent_feed_and_page(demo: Demo) -> None:
    recent = demo.get("/api/v1/recent", limit=5)["articles"]
    # Newest first by published_at; an undated article counts from when it was fetched (now).
    dates = [a["published_at"] for a in recent if a["published_at"]]
    assert len(recent) == 5 and dates == sorted(dates, reverse=True)
    newest = max(a.published_utc for a in SERVED if a.published_utc is not None)
    assert newest.strftime("%Y-%m-%dT%H:%M") in " ".join(dates)
    feed = feedparser.parse(f"{demo.api}/feeds/recent.rss")
    assert not feed.bozo, feed.get("bozo_exception")
    assert len(feed.entries) >= 10
    assert all(entry.get("id") and entry.get("title") for entry in feed.entries)
    undated = [a.title for a in SERVED if a.published_utc is None]
    dated = [e for e in feed.entries if e.title not in undated]
    assert all(entry.get("published_parsed") for entry in dated)
    with urllib.request.urlopen(f"{demo.api}/?q=chip") as response:
        page = response.read().decode()
    assert "Northwind Semiconductor" in page


def test_related_articles_share_the_story(demo: Demo) -> None:
    original, copy = syndicated_pairs()[0]
    first, second = demo.hit_for(original), demo.hit_for(copy)
    related = demo.get(f"/api/v1/articles/{first['id']}/related", limit=5)
    ids = [a["id"] for a in related["articles"]]
    assert first["id"] not in ids
    assert ids and ids[0] == second["id"], (copy.title, [a["title"] for a in related["articles"]])


def test_trends_count_articles_per_day(demo: Demo) -> None:
    series = demo.get("/api/v1/trends", field="topic", size=3)["series"]
    assert 1 <= len(series) <= 3
    totals = [s["total"] for s in series]
    assert totals == sorted(totals, reverse=True)
    top = series[0]
    assert top["total"] == sum(d["count"] for d in top["days"])
    tagged = [h for h in demo.all_hits() if top["value"] in {t["id"] for t in h["topics"]}]
    dated = [h for h in tagged if h["published_at"]]
    assert len(dated) <= top["total"] <= len(tagged)
    days = {h["published_at"][:10] for h in dated}
    assert days <= {d["date"][:10] for d in top["days"]}


def test_ctrl_c_stops_the_demo_cleanly(demo: Demo) -> None:
    demo.process.send_signal(signal.SIGINT)
    assert demo.process.wait(timeout=30) == 0
    assert "Traceback" not in demo.log.read_text()
