"""The analyst page's story view (server-rendered): the list, one story, the timeline, escaping."""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

from api_corpus import XSS_TITLE, by_title
from flask.testing import FlaskClient


def _html(client: FlaskClient, url: str, status: int = 200) -> str:
    resp = client.get(url, headers={"Accept": "text/html"})
    assert resp.status_code == status, url
    assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
    return resp.get_data(as_text=True)


def _listed(html: str) -> list[dict[str, str]]:
    """Each story of the list: id, headline (as shown), source and article counts, dates."""
    out = []
    for item in re.findall(r'<li class="story" (.*?)</li>', html, re.DOTALL):
        out.append({
            "id": re.search(r'data-id="([^"]+)"', item).group(1),  # type: ignore[union-attr]
            "headline": unescape(re.search(r"<h3><a [^>]*>(.*?)</a>", item).group(1)),  # type: ignore[union-attr]
            "sources": re.search(r'class="sources">(\d+) source', item).group(1),  # type: ignore[union-attr]
            "articles": re.search(r'class="articles">(\d+) article', item).group(1),  # type: ignore[union-attr]
            "first": re.search(r'class="first" datetime="([^"]+)"', item).group(1),  # type: ignore[union-attr]
            "last": re.search(r'class="last" datetime="([^"]+)"', item).group(1),  # type: ignore[union-attr]
        })  # fmt: skip
    return out


def test_story_list_is_the_apis_list(client: FlaskClient, articles: list[dict[str, Any]]) -> None:
    html = _html(client, "/stories")
    shown = _listed(html)
    api = client.get("/api/v1/stories").get_json()["stories"]
    assert [s["id"] for s in shown] == [s["id"] for s in api]  # same stories, same order
    assert len(shown) == len({a["story_id"] for a in articles})
    for item, story in zip(shown, api, strict=True):
        assert item["headline"] == story["headline"]
        assert int(item["sources"]) == story["source_count"]
        assert int(item["articles"]) == story["article_count"]
        assert (item["first"], item["last"]) == (story["first_seen"], story["last_seen"])
    bank = by_title(articles, "Central bank raises interest rates")
    (two,) = [s for s in shown if s["id"] == bank["story_id"]]
    assert (two["sources"], two["articles"]) == ("2", "2")


def test_story_view_keeps_the_pages_query(client: FlaskClient) -> None:
    html = _html(client, "/stories?q=rates&topic=economy")
    shown = _listed(html)
    api = client.get("/api/v1/stories?q=rates&topic=economy").get_json()["stories"]
    assert [s["id"] for s in shown] == [s["id"] for s in api]  # the API's q: story documents
    assert "Central bank raises rates again" in {s["headline"] for s in shown}
    assert "Record broken at city marathon" not in {s["headline"] for s in shown}
    assert 'name="q" value="rates"' in html and 'name="topic" value="economy"' in html
    article_view = re.search(r'<a href="([^"]*)">Articles</a>', html)
    assert article_view and parse_qs(urlsplit(unescape(article_view.group(1))).query) == {
        "q": ["rates"], "topic": ["economy"]
    }
    front = _html(client, "/?q=rates&topic=economy")
    story_view = re.search(r'<a href="([^"]*)">Stories</a>', front)
    assert story_view and unescape(story_view.group(1)) == "/stories?q=rates&topic=economy"


def test_story_view_filters_by_date(client: FlaskClient) -> None:
    shown = _listed(_html(client, "/stories?from=2024-05-07&to=2024-05-07"))
    assert [s["articles"] for s in shown] == ["2"]


def test_bad_story_view_requests_say_why(client: FlaskClient) -> None:
    html = _html(client, "/stories?from=2024-05-09&to=2024-05-01", status=400)
    assert 'class="error"' in html and "<code>from</code>" in html
    html = _html(client, "/stories?limit=0", status=400)
    assert "<code>limit</code>" in html
    _html(client, "/stories/nope", status=404)
    _html(client, "/stories/" + "x" * 300, status=404)


def test_every_view_shows_a_problem_the_same_way(client: FlaskClient) -> None:
    """One error paragraph (_error.html): the article view, the story view, the error page."""
    alert = r'<p class="error" role="alert">(.*?)</p>'
    bad = "from=notadate&limit=0"
    on_articles = re.search(alert, _html(client, f"/?{bad}", status=400), re.DOTALL)
    on_stories = re.search(alert, _html(client, f"/stories?{bad}", status=400), re.DOTALL)
    assert on_articles and on_stories
    assert on_articles.group(1) == on_stories.group(1)
    shown = on_stories.group(1)
    assert shown.startswith("Invalid parameters: invalid parameter(s): ")
    assert "<br><code>from</code>: " in shown and "<br><code>limit</code>: " in shown
    missing = re.search(alert, _html(client, "/stories/nope", status=404), re.DOTALL)
    assert missing and unescape(missing.group(1)).strip() == "Not Found: no story with id 'nope'"


def test_one_story_with_its_coverage_and_timeline(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    first = by_title(articles, "Central bank raises interest rates")
    second = by_title(articles, "Central bank raises rates again")
    html = _html(client, f"/stories/{first['story_id']}")
    story = client.get(f"/api/v1/stories/{first['story_id']}").get_json()
    assert f"<h1>{story['headline']}</h1>" in html
    coverage = re.findall(r'<li class="hit" data-id="([^"]+)">', html)
    assert coverage == [first["id"], second["id"]]  # oldest first, as the API lists them
    for source in ("Daily Wire Service", "The Herald"):
        assert f'<span class="source">{source}</span>' in html
    chart = re.search(r"id=\"timeline\" [^>]*data-days='([^']*)' data-counts='([^']*)'", html)
    assert chart
    assert json.loads(unescape(chart.group(1))) == ["2024-05-07"]
    assert json.loads(chart.group(2)) == [2]
    assert "2024-05-07: 2</title>" in html  # the server-drawn bar, without JavaScript


def test_hostile_headline_is_text(client: FlaskClient, articles: list[dict[str, Any]]) -> None:
    xss = by_title(articles, XSS_TITLE)
    for url in ("/stories", "/stories?q=onerror", f"/stories/{xss['story_id']}"):
        html = _html(client, url)
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, url
        assert "<img" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"<[a-z][^<>]*\s(style|on[a-z]+)\s*=", html), url
