"""The embeddable widget: the /widget.js script and the /widget iframe page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from api_corpus import XSS_TITLE, by_title
from flask.testing import FlaskClient

from search_api import create_app, widget
from search_api.stories import other_sources
from tidings.core.config import Settings


@pytest.fixture(scope="module")
def wclient(corpus: tuple[Settings, list[dict[str, Any]]]) -> Iterator[FlaskClient]:
    """A client of an app (create_app registers the widget routes)."""
    app = create_app(corpus[0])
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["tidings"].close()


def test_script_is_small_local_and_cacheable(wclient: FlaskClient) -> None:
    resp = wclient.get("/widget.js")
    assert resp.status_code == 200
    assert resp.mimetype == "text/javascript"
    assert len(resp.data) < 50 * 1024
    assert resp.headers["Cache-Control"].startswith("public, max-age=")
    assert resp.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert (
        wclient.get("/widget.js", headers={"If-None-Match": resp.headers["ETag"]}).status_code
        == 304
    )


def test_script_renders_safely() -> None:
    source = (Path(widget.__file__).parent / "static" / "widget.js").read_text()
    code = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)  # comments may show the embed tag
    assert "attachShadow" in code and "document.currentScript" in code
    assert "/api/v1/recent" in code and "textContent" in code
    assert "/api/v1/stories" in code and '"/stories/" + encodeURIComponent' in code
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in code, sink
    assert not re.search(r"https?://", code), "no third-party origin in the script"


def iframe_page(client: FlaskClient, query: str) -> str:
    """The iframe widget's HTML for ``query`` (a 200 HTML page)."""
    resp = client.get(f"/widget?{query}")
    assert resp.status_code == 200 and resp.mimetype == "text/html", query
    return resp.get_data(as_text=True)


def test_iframe_lists_recent_headlines(
    wclient: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    html = iframe_page(wclient, "limit=3")
    assert html.count('class="tw-item"') == 3
    assert "Floods force thousands from homes" in html
    assert 'href="https://herald.example.org/environment/floods"' in html
    assert 'rel="noopener noreferrer"' in html and "The Herald" in html
    time = r'<time class="tw-time" datetime="2024-05-09T06:00:00Z"[^>]*>[^<]*ago</time>'
    assert re.search(time, html)
    assert 'data-theme="light"' in html and 'data-show="articles"' in html
    floods = by_title(articles, "Floods force thousands from homes")
    assert iframe_lines(html)[0]["id"] == floods["id"]  # the article's id on its line


def test_iframe_is_strict_and_embeddable(wclient: FlaskClient) -> None:
    resp = wclient.get("/widget?topic=security&theme=dark")
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "frame-ancestors *" in csp and "script-src" not in csp
    assert "X-Frame-Options" not in resp.headers
    html = resp.get_data(as_text=True)
    assert "<script" not in html and " style=" not in html
    assert 'data-theme="dark"' in html and "Latest: security" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert XSS_TITLE not in html
    assert resp.headers["ETag"]


@pytest.mark.parametrize(
    "query",
    ["limit=0", "limit=21", "limit=x", "theme=blue", "topic=" + "a" * 300, "show=story",
     "show=stories&limit=0", "show=stories&topic=%00"],
)  # fmt: skip
def test_iframe_bad_params(wclient: FlaskClient, query: str) -> None:
    resp = wclient.get(f"/widget?{query}")
    assert resp.status_code == 400
    assert resp.mimetype == "application/problem+json"
    name = query.rsplit("&", 1)[-1].split("=")[0]
    assert [p["name"] for p in resp.get_json()["invalid_params"]] == [name]


def iframe_lines(html: str) -> list[dict[str, str]]:
    """Each line of the iframe widget: id, link, title and source as shown, time."""
    out = []
    for item in re.findall(r'<li class="tw-item" (.*?)</li>', html, re.DOTALL):
        link = re.search(r'<a class="tw-link" href="([^"]*)"[^>]*>(.*?)</a>', item, re.DOTALL)
        source = re.search(r'<span class="tw-source">(.*?)</span>', item)
        time = re.search(r'<time class="tw-time" datetime="([^"]*)"', item)
        assert link, item
        out.append({
            "id": re.search(r'data-id="([^"]*)"', item).group(1),  # type: ignore[union-attr]
            "href": unescape(link.group(1)),
            "title": unescape(link.group(2)),
            "source": unescape(source.group(1)) if source else "",
            "time": time.group(1) if time else "",
        })  # fmt: skip
    return out


def test_iframe_stories_mode_is_the_story_list(
    wclient: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    html = iframe_page(wclient, "show=stories&limit=20")
    lines = iframe_lines(html)
    api = wclient.get("/api/v1/stories?limit=20").get_json()["stories"]
    assert [line["id"] for line in lines] == [s["id"] for s in api]  # one line per story, ranked
    assert len(lines) == len({a["story_id"] for a in articles}) < len(articles)
    for line, story in zip(lines, api, strict=True):
        assert line["title"] == story["headline"]
        assert line["href"] == f"http://localhost/stories/{story['id']}"
        assert line["time"] == story["last_seen"].replace("+00:00", "Z")
    bank = by_title(articles, "Central bank raises interest rates")
    (two,) = [line for line in lines if line["id"] == bank["story_id"]]
    assert two["source"] == "The Herald +1 source"  # the first source (by articles, then id)
    floods = by_title(articles, "Floods force thousands from homes")
    (one,) = [line for line in lines if line["id"] == floods["story_id"]]
    assert one["source"] == "The Herald"  # no "+0 sources"
    assert 'data-show="stories"' in html and 'aria-label="Top stories"' in html
    assert '<a href="http://localhost/stories" target="_blank"' in html  # "More on Tidings"


def test_iframe_story_links_open_the_story(wclient: FlaskClient) -> None:
    for line in iframe_lines(iframe_page(wclient, "show=stories&limit=3")):
        page = wclient.get(urlsplit(line["href"]).path, headers={"Accept": "text/html"})
        assert page.status_code == 200
        h1 = re.search(r"<h1>(.*?)</h1>", page.get_data(as_text=True), re.DOTALL)
        assert h1 and unescape(h1.group(1)) == line["title"]


def test_iframe_stories_of_a_topic_escape_hostile_headlines(wclient: FlaskClient) -> None:
    resp = wclient.get("/widget?show=stories&topic=security&theme=dark")
    html = resp.get_data(as_text=True)
    titles = [line["title"] for line in iframe_lines(html)]
    api = wclient.get("/api/v1/stories?topic=security").get_json()["stories"]
    assert titles == [s["headline"] for s in api] and XSS_TITLE in titles
    assert "Floods force thousands from homes" not in titles
    assert "&lt;img src=x onerror=alert(1)&gt;" in html and "<img" not in html
    assert "<script" not in html and " style=" not in html
    assert "script-src" not in resp.headers["Content-Security-Policy"]
    assert 'href="http://localhost/stories?topic=security"' in html


def test_both_widgets_name_other_sources_the_same_way() -> None:
    assert [other_sources(n) for n in (-1, 0, 1, 4)] == ["", "", "+1 source", "+4 sources"]
    source = (Path(widget.__file__).parent / "static" / "widget.js").read_text()
    assert '"+" + count + (count === 1 ? " source" : " sources")' in source


def test_relative_time() -> None:
    now = datetime(2024, 5, 10, 12, tzinfo=UTC)
    assert widget.relative_time(now - timedelta(seconds=20), now) == "just now"
    assert widget.relative_time(now - timedelta(minutes=5), now) == "5 minutes ago"
    assert widget.relative_time(now - timedelta(hours=1), now) == "1 hour ago"
    assert widget.relative_time(now - timedelta(days=1), now) == "yesterday"
    assert widget.relative_time(now - timedelta(days=3), now) == "3 days ago"
    assert widget.relative_time(None, now) == ""
