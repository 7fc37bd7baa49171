"""The analyst page at /: results, facets, paging and escaping of crawled text."""

from __future__ import annotations

import re
from html import unescape

from flask.testing import FlaskClient


def _page(client: FlaskClient, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status
    assert resp.mimetype == "text/html"
    return resp.get_data(as_text=True)


def test_page_shows_results_facets_and_feed_link(client: FlaskClient) -> None:
    html = _page(client, "/?q=climate")
    assert "3 results" in html
    assert "<b>climate</b>" in html
    assert 'href="https://wire.example.com/politics/climate-bill"' in html
    assert re.search(
        r'<link rel="alternate" type="application/rss\+xml" [^>]*'
        r'href="/feeds/search.rss\?q=climate">',
        html,
    )
    assert 'value="climate"' in html
    topic_link = re.search(
        r'href="([^"]*topic=politics[^"]*)" data-value="politics">politics</a>\s*'
        r'<span class="count">2</span>',
        html,
    )
    assert topic_link, "topic facet link with count"
    filtered = _page(client, unescape(topic_link.group(1)))
    assert "2 results" in filtered
    assert re.search(r'<span class="count">1</span>', _page(client, "/?q=climate"))
    assert 'href="/static/tidings.css"' in html


def test_page_paging_with_cursor(client: FlaskClient) -> None:
    html = _page(client, "/?sort=date&limit=5")
    assert html.count('class="hit"') == 5
    nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
    assert nxt and "cursor=" in nxt.group(1) and "limit=5" in nxt.group(1)
    second = _page(client, unescape(nxt.group(1)))
    assert second.count('class="hit"') == 5
    first_titles = set(re.findall(r"<h3><a [^>]*>(.*?)</a></h3>", html))
    second_titles = set(re.findall(r"<h3><a [^>]*>(.*?)</a></h3>", second))
    assert len(first_titles) == 5 and len(second_titles) == 5
    assert first_titles.isdisjoint(second_titles)


def test_xss_title_is_escaped(client: FlaskClient) -> None:
    for url in ("/", "/?q=onerror", "/?topic=security", "/?q=script"):
        html = _page(client, url)
        assert "&lt;img src=x" in html, url  # with or without <b> around "onerror"
        assert "<img src=x" not in html and "<script>" not in html, url


def test_bad_params_show_an_error_page(client: FlaskClient) -> None:
    html = _page(client, "/?limit=0", status=400)
    assert "limit" in html and 'role="alert"' in html


def test_css_is_local_and_served(client: FlaskClient) -> None:
    resp = client.get("/static/tidings.css")
    assert resp.status_code == 200
    css = resp.get_data(as_text=True)
    assert "@media" in css and "http" not in css


def test_unknown_page_is_html_for_browsers(client: FlaskClient) -> None:
    resp = client.get("/nope", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_search_form_keeps_filters(client: FlaskClient) -> None:
    html = _page(client, "/?q=climate&from=2024-05-01&topic=politics&limit=5")
    assert 'name="from" value="2024-05-01"' in html
    assert 'name="topic" value="politics"' in html and 'name="limit" value="5"' in html
