"""Stories through the real write path (import → story book → store → index) and the API."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from story_corpus import as_records, background, corpus

from search_api import create_app
from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.store import Store
from tidings.core.stories.ingest import close_books


def import_records(home: Path, records: list[dict[str, Any]]) -> None:
    data = home / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    assert main(["--home", str(home), "import", str(data), "--no-classify"]) == 0


#: name in story_corpus ("q1") -> stored article id (the hash of its canonical URL)
IDS: dict[str, str] = {}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("stories-home")
    import_records(home, as_records(background() + corpus()))
    with Store(Settings(home=home).db_path) as store:
        for batch in store.iter_articles():
            IDS.update((r["url"].rsplit("/", 1)[-1], r["id"]) for r in batch)
    yield home
    close_books()


@pytest.fixture()
def client(home: Path) -> Iterator[FlaskClient]:
    app = create_app(Settings(home=home), config={"RATELIMIT_ENABLED": False})
    yield app.test_client()
    app.extensions["tidings"].close()


def story_of(client: FlaskClient, name: str) -> str:
    resp = client.get(f"/api/v1/articles/{IDS[name]}")
    assert resp.status_code == 200
    return resp.get_json()["story_id"]


def test_every_article_carries_its_story_and_events_group_as_they_should(
    client: FlaskClient,
) -> None:
    ids = {a: story_of(client, a) for a in ("q1", "q2", "q3", "e1", "e2", "e3", "e4")}
    assert ids["q1"] == ids["q2"] == ids["q3"]
    assert ids["e1"] == ids["e3"] and ids["e2"] == ids["e4"]
    assert len({ids["q1"], ids["e1"], ids["e2"]}) == 3  # two earnings of one week stay apart


def test_stories_are_ranked_by_size_sources_and_recency(client: FlaskClient) -> None:
    resp = client.get("/api/v1/stories?limit=100")
    assert resp.status_code == 200
    stories = resp.get_json()["stories"]
    assert [s["score"] for s in stories] == sorted((s["score"] for s in stories), reverse=True)
    newest = max(datetime.fromisoformat(s["last_seen"]) for s in stories)
    for s in stories:
        behind = (newest - datetime.fromisoformat(s["last_seen"])).total_seconds() / 86400
        expected = math.log2(s["article_count"]) + 2 * math.log2(s["source_count"]) - behind
        assert s["score"] == pytest.approx(expected, abs=1e-3)
    (quake,) = [s for s in stories if s["id"] == story_of(client, "q1")]
    assert quake["article_count"] == 3 and quake["source_count"] == 3
    assert quake["headline"] in {a["title"] for a in corpus() if a["id"].startswith("q")}
    assert quake["first_seen"] < quake["last_seen"]


def test_story_filters(client: FlaskClient) -> None:
    business = client.get("/api/v1/stories?topic=business&limit=100").get_json()["stories"]
    assert business and all(any(t["id"] == "business" for t in s["topics"]) for s in business)
    assert story_of(client, "q1") not in {s["id"] for s in business}
    padang = client.get("/api/v1/stories?q=Padang").get_json()["stories"]
    assert [s["id"] for s in padang] == [story_of(client, "q1")]
    assert client.get("/api/v1/stories?source=nosuch").get_json()["stories"] == []
    late = client.get("/api/v1/stories?from=2030-01-01").get_json()["stories"]
    assert late == []


def test_one_story_has_its_full_coverage(client: FlaskClient) -> None:
    sid = story_of(client, "q2")
    body = client.get(f"/api/v1/stories/{sid}").get_json()
    assert sorted(a["id"] for a in body["articles"]) == sorted(IDS[q] for q in ("q1", "q2", "q3"))
    assert all(a["source"]["id"] and a["published_at"] for a in body["articles"])
    assert body["timeline"] == [{"date": "2024-03-04", "count": 3}]
    assert {s["id"] for s in body["sources"]} == {a["source"]["id"] for a in body["articles"]}


def test_search_hits_carry_the_story(client: FlaskClient) -> None:
    hits = client.get("/api/v1/search?q=Nvidia").get_json()["hits"]
    assert hits and {h["story_id"] for h in hits} == {story_of(client, "e2")}


def test_search_collapsed_by_story_shows_each_story_once(client: FlaskClient) -> None:
    quake = client.get("/api/v1/search?q=Padang&collapse=story").get_json()
    assert quake["query"]["collapse"] == "story" and quake["total"] == 1
    (hit,) = quake["hits"]
    assert hit["story_id"] == story_of(client, "q1") and hit["cluster_size"] == 3
    q = "/api/v1/search?q=Baidu+OR+Nvidia&facet="
    plain = client.get(q).get_json()
    assert plain["total"] == 4 and len({h["story_id"] for h in plain["hits"]}) == 2
    pages, url = [], f"{q}&collapse=story&limit=1"
    while url:
        body = client.get(url).get_json()
        assert body["total"] == 2  # stories, not articles
        pages += body["hits"]
        url = body["next_cursor"] and f"{q}&collapse=story&limit=1&cursor={body['next_cursor']}"
    assert sorted(h["story_id"] for h in pages) == sorted(
        {story_of(client, "e1"), story_of(client, "e2")}
    )
    assert [h["cluster_size"] for h in pages] == [2, 2]
    # the older boolean spelling still collapses copies only; unknown values are a problem
    assert client.get(f"{q}&collapse=true").get_json()["query"]["collapse"] == "cluster"
    bad = client.get(f"{q}&collapse=event")
    assert bad.status_code == 400
    assert [p["name"] for p in bad.get_json()["invalid_params"]] == ["collapse"]


def test_bad_story_requests_are_problems(client: FlaskClient) -> None:
    resp = client.get("/api/v1/stories/nosuchstory")
    assert resp.status_code == 404
    assert resp.headers["Content-Type"].startswith("application/problem+json")
    assert client.get("/api/v1/stories/" + "x" * 500).status_code == 404
    assert client.get("/api/v1/stories?limit=0").status_code == 400
    assert client.get("/api/v1/stories?limit=").status_code == 400
    assert client.get("/api/v1/stories?from=notadate").status_code == 400


def test_restory_gives_the_same_stories_as_the_ingest_path(home: Path) -> None:
    app = create_app(Settings(home=home), config={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    before = {a["id"]: story_of(client, a["id"]) for a in background() + corpus()}
    app.extensions["tidings"].close()
    assert main(["--home", str(home), "restory"]) == 0
    app = create_app(Settings(home=home), config={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    after = {a["id"]: story_of(client, a["id"]) for a in background() + corpus()}
    app.extensions["tidings"].close()
    assert after == before


def test_story_feeds_have_one_stable_entry_per_story(client: FlaskClient) -> None:
    quake = story_of(client, "q1")
    items = client.get("/feeds/stories.json?limit=50").get_json()["items"]
    assert len({i["id"] for i in items}) == len(items)
    (entry,) = [i for i in items if i["id"] == f"story:{quake}"]
    assert "(+2 sources)" in entry["title"]
    assert entry["url"].startswith("https://") and "3 articles from 3 sources" in entry["summary"]
    business = client.get("/feeds/stories.json?topic=business").get_json()["items"]
    assert business and f"story:{quake}" not in {i["id"] for i in business}
    for fmt, marker in (("rss", b"<rss"), ("atom", b"<feed")):
        resp = client.get(f"/feeds/stories.{fmt}")
        assert resp.status_code == 200 and marker in resp.data
        assert quake.encode() in resp.data
    assert client.get("/feeds/stories.json?limit=0").status_code == 400


def test_a_story_entry_keeps_its_id_and_moves_on_as_it_grows(tmp_path: Path) -> None:
    records = as_records(background() + corpus())
    import_records(tmp_path, records)
    app = create_app(Settings(home=tmp_path), config={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    quake_url = next(r["url"] for r in records if r["id"] == "q1")

    def quake_entry() -> dict[str, Any]:
        for item in client.get("/feeds/stories.json?limit=50").get_json()["items"]:
            detail = client.get(f"/api/v1/stories/{item['id'].removeprefix('story:')}")
            if quake_url in {a["url"] for a in detail.get_json()["articles"]}:
                return item
        raise AssertionError("no quake story in the feed")

    def widget_line(story_id: str) -> str:
        """The story's line in the iframe widget's stories mode: its source text."""
        html = client.get("/widget?show=stories&limit=20").get_data(as_text=True)
        line = re.search(rf'data-id="{story_id}">.*?class="tw-source">([^<]*)<', html, re.DOTALL)
        assert line, "no line for the story in the widget"
        return line.group(1)

    before = quake_entry()
    story_id = before["id"].removeprefix("story:")
    assert widget_line(story_id).endswith(" +2 sources")
    follow_up = {
        **records[-1],
        "id": "q4",
        "url": "https://ledger.example/q4",
        "source": {"id": "courier", "name": "Courier", "domain": "courier.example"},
        "title": "Padang quake: rescuers search for survivors",
        "body": corpus()[0]["body"].replace("Rescue teams", "Volunteers and rescue teams"),
        "published_at": "2024-03-05T09:00:00Z",
    }
    import_records(tmp_path, [follow_up])
    after = quake_entry()
    grown = widget_line(story_id)  # the same id on the widget's line, one more source
    app.extensions["tidings"].close()
    assert after["id"] == before["id"] and grown.endswith(" +3 sources")
    assert after["date_modified"] > before.get("date_modified", before["date_published"])
    assert "4 articles from 4 sources" in after["summary"]


def test_reindex_keeps_every_hit_in_its_story(home: Path) -> None:
    assert main(["--home", str(home), "reindex"]) == 0
    app = create_app(Settings(home=home), config={"RATELIMIT_ENABLED": False})
    client = app.test_client()
    hits = client.get("/api/v1/search?q=Padang").get_json()["hits"]
    assert len(hits) == 3 and {h["story_id"] for h in hits} == {story_of(client, "q1")}
    app.extensions["tidings"].close()
