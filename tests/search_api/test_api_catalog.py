"""/api/v1/topics, sources, entities, trends and related; search's entity/language extras."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from api_corpus import by_title
from flask import Flask
from flask.testing import FlaskClient

from search_api import create_app, records
from search_api.pages import PAGE_FACETS
from tidings.core.config import Settings
from tidings.core.store import Store


def _json(client: FlaskClient, url: str, status: int = 200) -> Any:
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)
    return resp.get_json()


def test_topics_with_counts_and_taxonomy_labels(
    corpus: tuple[Settings, Any], tmp_path: Path
) -> None:
    """Labels come from the taxonomy the settings name (the one tagging uses), else the
    packaged one."""
    taxonomy = tmp_path / "taxonomy.toml"
    taxonomy.write_text(
        '[[topics]]\nid = "economy"\nlabel = "The Economy"\ndescription = "d"\n',
        encoding="utf-8",
    )
    settings = dataclasses.replace(corpus[0], taxonomy=taxonomy)
    app = create_app(settings, config={"RATELIMIT_ENABLED": False})
    resp = app.test_client().get("/api/v1/topics")
    assert resp.status_code == 200 and resp.headers["ETag"]
    topics = {t["id"]: t for t in resp.get_json()["topics"]}
    assert topics["economy"] == {"id": "economy", "label": "The Economy", "count": 3}
    assert topics["sport"] == {"id": "sport", "label": None, "count": 2}
    packaged = create_app(corpus[0], config={"RATELIMIT_ENABLED": False})
    topics = {t["id"]: t for t in _json(packaged.test_client(), "/api/v1/topics")["topics"]}
    assert topics["sport"] == {"id": "sport", "label": "Sport", "count": 2}
    assert topics["economy"]["label"] is None  # not a topic of the packaged taxonomy


def test_sources_with_counts_names_and_health(fresh: tuple[Settings, Any]) -> None:
    settings, _ = fresh
    with Store(settings.db_path) as store:
        store.record_error("wire", "https://wire.example.com/x", "http", "503 Service Unavailable")
        store.record_source_run(
            "wire", "2024-05-10T00:00:00+00:00", "2024-05-10T00:01:00+00:00", "finished",
            {"items": 4}, True,
        )  # fmt: skip
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()
    sources = {s["id"]: s for s in _json(client, "/api/v1/sources")["sources"]}
    assert set(sources) == {"wire", "herald", "techpost"}
    wire = sources["wire"]
    assert (wire["name"], wire["domain"], wire["articles"]) == (
        "Daily Wire Service", "wire.example.com", 4,
    )  # fmt: skip
    assert wire["health"]["error_counts"] == {"http": 1}
    assert wire["health"]["last_success"] == "2024-05-10T00:01:00+00:00"
    assert sources["herald"]["health"] is None and sources["herald"]["configured"] is False


def test_entities_top_with_labels(client: FlaskClient) -> None:
    body = _json(client, "/api/v1/entities")
    assert {"key": "parliament", "text": "Parliament", "label": "ORG", "count": 1} in body[
        "entities"
    ]
    assert _json(client, "/api/v1/entities?label=org")["entities"][0]["key"] == "parliament"
    assert _json(client, "/api/v1/entities?label=PERSON")["entities"] == []
    assert _json(client, "/api/v1/entities?q=football")["entities"] == []
    _json(client, "/api/v1/entities?limit=0", 400)


def test_trends_per_topic_per_day(client: FlaskClient) -> None:
    body = _json(client, "/api/v1/trends?field=topic&size=2&from=2024-05-01")
    assert body["field"] == "topic"
    assert len(body["series"]) == 2
    totals = [s["total"] for s in body["series"]]
    assert totals == sorted(totals, reverse=True)
    for series in body["series"]:
        assert sum(d["count"] for d in series["days"]) == series["total"]
        assert all(d["date"] >= "2024-05-01" for d in series["days"])
    _json(client, "/api/v1/trends?field=colour", 400)


def test_related_articles_exclude_the_article(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    rates = by_title(articles, "Central bank raises interest rates")
    body = _json(client, f"/api/v1/articles/{rates['id']}/related?limit=3")
    ids = [a["id"] for a in body["articles"]]
    assert body["id"] == rates["id"] and rates["id"] not in ids and len(ids) <= 3
    assert by_title(articles, "Central bank raises rates again")["id"] in ids
    _json(client, "/api/v1/articles/nope/related", 404)


def test_search_entity_and_language_filters_and_facets(client: FlaskClient) -> None:
    body = _json(client, "/api/v1/search?entity=parliament")
    assert [h["title"] for h in body["hits"]] == [
        "Parliament passes climate bill after long debate"
    ]
    assert _json(client, "/api/v1/search?lang=fr")["total"] == 0
    assert _json(client, "/api/v1/search?lang=en")["total"] == 11
    assert set(_json(client, "/api/v1/search")["facets"]) == {"topic", "source"}  # the default
    facets = _json(client, "/api/v1/search?facet=entity&facet=language")["facets"]
    assert set(facets) == {"entity", "language"}
    assert {"value": "en", "count": 11} in facets.get("language", [])
    assert {"value": "parliament", "count": 1} in facets.get("entity", [])


def test_search_histogram_and_collapse(client: FlaskClient) -> None:
    plain = _json(client, "/api/v1/search?q=rates")
    assert plain["histogram"] is None and plain["query"]["collapse"] == "none"
    body = _json(client, "/api/v1/search?q=rates&histogram=true&collapse=true")
    assert body["query"]["histogram"] is True and body["query"]["collapse"] == "cluster"
    assert body["histogram"], "histogram=true must return per-day counts"
    assert sum(d["count"] for d in body["histogram"]) == plain["total"]  # articles, not stories
    sizes = [h["cluster_size"] for h in body["hits"]]
    assert all(s >= 1 for s in sizes) and max(sizes) > 1  # the corpus has a story told twice
    assert len(body["hits"]) < plain["total"]


def test_article_explains_topics_or_says_null(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    rates = by_title(articles, "Central bank raises interest rates")
    body = _json(client, f"/api/v1/articles/{rates['id']}")
    assert all(t["terms"] is None for t in body["topics"])
    assert [s["id"] for s in body["also_covered_by"]] == ["herald"]
    explained = records.detail({**rates, "explanations": {"business": ["bank", "rates"]}}, [])
    terms = {t["id"]: t["terms"] for t in explained["topics"]}
    assert terms == {"business": ["bank", "rates"], "economy": None}


def test_each_endpoint_asks_the_index_only_for_the_facets_it_shows(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = app.extensions["tidings"].index
    original = type(index).search
    asked: list[tuple[str, ...]] = []

    def spy(self: Any, request: Any) -> Any:
        asked.append(tuple(request.facets))
        return original(self, request)

    monkeypatch.setattr(type(index), "search", spy)
    expected = {
        "/api/v1/topics": set(),  # counted by the store, exactly
        "/api/v1/sources": set(),
        "/api/v1/entities?limit=7": {("entity",)},
        "/api/v1/trends?size=3": {()},
        "/api/v1/search?limit=7": {("topic", "source")},
        "/api/v1/search?limit=7&facet=language": {("language",)},
        "/?q=climate&limit=7": {PAGE_FACETS},
        "/export.json?q=climate&limit=7": {()},
        "/export.csv?q=climate&limit=7": {()},
    }
    for url, facets in expected.items():
        asked.clear()
        resp = client.get(url)
        assert resp.status_code == 200, (url, resp.status_code)
        assert set(asked) <= facets, (url, asked)
        if facets and not url.startswith("/api/v1/trends"):
            assert asked, url  # answered by the index, not a cache


def test_catalog_lists_every_source_and_topic_with_exact_counts(tmp_path: Path) -> None:
    """50 sources and 40 topics: no list is cut at a facet size; names come from the sources
    model for configured sources and from the stored articles for the others."""
    from tidings.core.article import normalise
    from tidings.core.index import open_index

    settings = Settings(home=tmp_path / "home")
    raws = []
    for i in range(120):
        sid = f"s{i % 50:02d}"
        raws.append({
            "url": f"https://{sid}.example.com/story/{i}",
            "source": {"id": sid, "name": f"Source {sid}", "domain": f"{sid}.example.com"},
            "title": f"Story number {i} about subject {i * 7919 % 1000}",
            "body": f"Report {i}: " + " ".join(f"word{(i * j) % 997}" for j in range(40)),
            "published_at": f"2024-05-{1 + i % 28:02d}T08:00:00Z",
            "topics": [{"id": f"t{i % 40:02d}", "score": 0.9, "origin": "model"}]
            + ([{"id": "every-third", "score": 0.8, "origin": "rule"}] if i % 3 == 0 else []),
        })  # fmt: skip
    with Store(settings.db_path) as store:
        stored = list(store.upsert([normalise(r) for r in raws]).articles)
    index = open_index(settings, writable=True)
    try:
        index.upsert(stored)
    finally:
        index.close()
    (settings.home / "sources.toml").write_text(
        '[[sources]]\nid = "s07"\nname = "Configured Seven"\nfeeds = ["https://s07.example.com/f"]\n'
        '\n[[sources]]\nid = "quiet"\nname = "Not Crawled Yet"\nhome = "https://quiet.example/"\n',
        encoding="utf-8",
    )
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()

    expected_sources = {f"s{n:02d}": 3 if n < 20 else 2 for n in range(50)}
    sources = {s["id"]: s for s in _json(client, "/api/v1/sources")["sources"]}
    assert {sid: s["articles"] for sid, s in sources.items()} == {**expected_sources, "quiet": 0}
    assert sources["s07"]["name"] == "Configured Seven" and sources["s07"]["configured"]
    assert sources["s42"]["name"] == "Source s42" and not sources["s42"]["configured"]
    assert sources["s42"]["domain"] == "s42.example.com"
    assert sources["quiet"] == {"id": "quiet", "name": "Not Crawled Yet", "domain": "quiet.example",
                                "articles": 0, "configured": True, "health": None}  # fmt: skip

    topics = {t["id"]: t["count"] for t in _json(client, "/api/v1/topics")["topics"]}
    expected_topics = {f"t{n:02d}": len(range(n, 120, 40)) for n in range(40)}
    assert topics == {**expected_topics, "every-third": 40}


@pytest.mark.parametrize("url", ["/api/v1/topics", "/api/v1/sources"])
def test_catalog_with_a_store_that_cannot_open_is_a_503(tmp_path: Path, url: str) -> None:
    settings = Settings(home=tmp_path / "home")
    settings.db_path.mkdir(parents=True)  # a directory where the database should be
    resp = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client().get(url)
    assert resp.status_code == 503 and resp.mimetype == "application/problem+json"
    assert resp.headers["Retry-After"] == "30"
