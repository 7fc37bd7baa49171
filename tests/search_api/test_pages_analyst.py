"""The analyst page's extras: entity facets, chart data, clusters, article view, exports, CSP."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from api_corpus import XSS_TITLE, by_title
from flask.testing import FlaskClient

from search_api import pages
from tidings.core.index.base import Hit


def _html(client: FlaskClient, url: str, status: int = 200) -> str:
    resp = client.get(url)
    assert resp.status_code == status, url
    return resp.get_data(as_text=True)


def _chart(html: str) -> dict[str, list[Any]]:
    match = re.search(r"id=\"volume\" [^>]*data-days='([^']*)' data-counts='([^']*)'", html)
    assert match, "chart data"
    return {"days": json.loads(unescape(match.group(1))), "counts": json.loads(match.group(2))}


def _facet(html: str, name: str) -> dict[str, int]:
    section = re.search(rf'data-facet="{name}">(.*?)</section>', html, re.DOTALL)
    if not section:
        return {}
    pairs = re.findall(
        r'data-value="([^"]*)">[^<]*</a>\s*<span class="count">(\d+)</span>', section.group(1)
    )
    return {unescape(v): int(n) for v, n in pairs}


def test_chart_counts_per_day_follow_the_query(client: FlaskClient) -> None:
    sport = _chart(_html(client, "/?topic=sport"))
    assert sport == {"days": ["2024-05-05", "2024-05-06"], "counts": [1, 1]}
    everything = _chart(_html(client, "/"))
    assert everything["days"][0] == "2024-04-28" and everything["days"][-1] == "2024-05-09"
    assert len(everything["days"]) == 12 and sum(everything["counts"]) == 11
    assert everything["counts"][everything["days"].index("2024-05-07")] == 2
    assert everything["counts"][everything["days"].index("2024-04-29")] == 0


def test_facets_follow_the_query(client: FlaskClient) -> None:
    all_topics = _facet(_html(client, "/"), "topic")
    assert all_topics["sport"] == 2 and all_topics["economy"] == 3
    rates = _facet(_html(client, "/?q=rates"), "topic")
    assert "sport" not in rates and rates["economy"] >= 2


def test_entity_facet_and_filter(client: FlaskClient) -> None:
    html = _html(client, "/?q=climate")
    assert _facet(html, "entity") == {"parliament": 1}
    assert 'href="/?q=climate&amp;entity=parliament"' in html
    filtered = _html(client, "/?q=climate&entity=parliament")
    assert "1 result " in filtered
    assert "Parliament passes" in filtered and "Election campaign" not in filtered


def test_facet_links_add_and_remove_filters(client: FlaskClient) -> None:
    html = _html(client, "/?q=bank&sort=date")
    link = re.search(r'href="([^"]*)" data-value="business"', html)
    assert link
    url = unescape(link.group(1))
    assert url == "/?q=bank&topic=business&sort=date"
    filtered = _html(client, url)
    chip = re.search(
        r'<a class="chip" href="([^"]*)"[^>]*><span class="kind">topic</span> business', filtered
    )
    assert chip and unescape(chip.group(1)) == "/?q=bank&sort=date"
    active = re.search(r'<li class="active">\s*<a href="([^"]*)" data-value="business"', filtered)
    assert active and unescape(active.group(1)) == "/?q=bank&sort=date"


def test_collapsed_story_says_also_covered_by(client: FlaskClient) -> None:
    html = _html(client, "/?q=central+bank")
    assert html.count('class="hit"') == 1
    assert "Also covered by 1 other source" in html


def test_article_view(client: FlaskClient, articles: list[dict[str, Any]]) -> None:
    rates = by_title(articles, "Central bank raises interest rates")
    copy = by_title(articles, "Central bank raises rates again")
    html = _html(client, f"/articles/{rates['id']}")
    assert "<h1>Central bank raises interest rates</h1>" in html
    assert "Daily Wire Service" in html and "2024-05-07 12:00 UTC" in html
    assert re.search(r'href="/\?topic=business">business</a>\s*<meter [^>]*value="0.9"', html)
    assert 'id="cluster"' in html and f'href="/articles/{copy["id"]}"' in html
    assert "The central bank raised interest rates" in html
    assert 'href="https://wire.example.com/business/rates"' in html


def test_article_view_escapes_everything(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    xss = by_title(articles, XSS_TITLE)
    html = _html(client, f"/articles/{xss['id']}")
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in html
    assert "<img" not in html and "<script>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt; never runs." in html


def test_article_view_entities_link_to_filters(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    bill = by_title(articles, "Parliament passes climate bill after long debate")
    html = _html(client, f"/articles/{bill['id']}")
    assert '<a href="/?entity=parliament">Parliament</a>' in html


def test_unknown_article_is_404(client: FlaskClient) -> None:
    resp = client.get("/articles/nope", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_pages_have_a_strict_csp_and_no_inline_code(
    client: FlaskClient, articles: list[dict[str, Any]]
) -> None:
    for url in ("/", "/?q=climate", f"/articles/{articles[0]['id']}", "/?limit=0"):
        resp = client.get(url)
        csp = resp.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp, url
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        html = resp.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url
        assert not re.search(r"<[a-z][^<>]*\s(style|on[a-z]+)\s*=", html), url
        assert "//cdn" not in html and "https://" not in re.sub(r'href="https://[^"]*"', "", html)


def test_vendored_chart_library_is_served(client: FlaskClient) -> None:
    html = _html(client, "/")
    for asset in (
        "/static/vendor/uPlot.iife.min.js",
        "/static/analyst.js",
        "/static/vendor/uPlot.min.css",
    ):
        assert asset in html
        resp = client.get(asset)
        assert resp.status_code == 200 and len(resp.data) < 60 * 1024
    assert client.get("/static/vendor/uPlot.LICENSE").status_code == 200


def test_export_csv(client: FlaskClient) -> None:
    resp = client.get("/export.csv?q=security")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert {r["title"] for r in rows} == {XSS_TITLE, "Security patch fixes browser flaw"}
    assert list(rows[0]) == list(pages.CSV_COLUMNS)
    everything = list(csv.reader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
    assert len(everything) == 12


def test_export_json(client: FlaskClient) -> None:
    resp = client.get("/export.json?topic=sport")
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["query"] == {"topic": ["sport"]}
    assert body["total"] == 2 and body["exported"] == 2 and body["truncated"] is False
    assert [a["title"] for a in body["articles"]] == [
        "Record broken at city marathon",
        "Underdogs win the cup final",
    ]


def test_export_is_bounded(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "EXPORT_LIMIT", 3)
    body = client.get("/export.json").get_json()
    assert body["exported"] == 3 and body["total"] == 11 and body["truncated"] is True
    rows = list(csv.reader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
    assert len(rows) == 4


def test_export_bad_params(client: FlaskClient) -> None:
    assert client.get("/export.csv?limit=0").status_code == 400
    assert client.get("/export.json?sort=sideways").status_code == 400


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("plain = text", "plain = text"),
        (None, ""),
    ],
)
def test_csv_cells_are_formula_safe(value: str | None, cell: str) -> None:
    assert pages.safe_cell(value) == cell
    hit = Hit(id="x", score=1.0, article={"title": value, "source": {"name": "=cmd"}})
    row = pages.csv_row(hit)
    assert row[2] == cell and row[5] == "'=cmd"


def test_chart_data_fills_missing_days() -> None:
    data = pages.chart_data([("2024-05-01", 2), ("2024-05-04", 1), ("bad", 9)])
    assert data["days"] == ["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04"]
    assert data["counts"] == [2, 0, 0, 1] and data["max"] == 2
    assert pages.chart_data([]) == {"days": [], "counts": [], "max": 0}


def test_state_in_the_url_round_trips(client: FlaskClient) -> None:
    url = "/?q=rates&topic=economy&source=wire&from=2024-05-01&to=2024-05-31&sort=date&limit=5"
    html = _html(client, url)
    nxt = re.search(r'href="([^"]*)" data-value="business"', html)
    assert nxt
    assert unescape(nxt.group(1)) == (
        "/?q=rates&topic=economy&topic=business&source=wire&from=2024-05-01&to=2024-05-31"
        "&sort=date&limit=5"
    )
    assert 'name="from" value="2024-05-01"' in html and 'name="to" value="2024-05-31"' in html
    assert '<option value="date" selected>' in html


@pytest.mark.parametrize(
    ("query", "args"),
    [
        ("from=2024-05-01&to=2024-05-02", {"from": "2024-05-01", "to": "2024-05-02"}),
        ("from=2024-05-01T12:30:00Z", {"from": "2024-05-01T12:30:00Z"}),
        ("q=x&entity=a&entity=b&lang=en", {"q": "x", "entity": ["a", "b"], "lang": ["en"]}),
    ],
)
def test_page_query_args_round_trip(query: str, args: dict[str, Any]) -> None:
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from search_api.params import FILTER_PARAMS, parse_search, to_args

    parsed = parse_search(MultiDict(parse_qsl(query)))
    assert to_args(parsed, FILTER_PARAMS) == args
    assert to_args(parse_search(MultiDict(_flatten(args))), FILTER_PARAMS) == args


def _flatten(args: dict[str, Any]) -> list[tuple[str, str]]:
    return [(k, x) for k, v in args.items() for x in (v if isinstance(v, list) else [v])]


def test_a_stored_summary_that_is_not_text_does_not_fail_the_page(tmp_path: Path) -> None:
    """A record stored by an older ``tidings import`` (it took a numeric summary; it now
    refuses one) is listed: the page shows the summary as text (it was a 500)."""
    from search_api import create_app
    from tidings.core.article import normalise
    from tidings.core.config import Settings
    from tidings.core.index import open_index
    from tidings.core.store import open_store
    from tidings.core.sync import store_and_index

    settings = Settings(home=tmp_path)
    record = dict(normalise({"url": "https://old.example/1", "title": "Old numbers"}))
    record["summary"] = 5
    with open_store(settings) as store:
        index = open_index(settings, writable=True)
        try:
            store_and_index(store, index, [record])
        finally:
            index.close()
    app = create_app(settings, config={"RATELIMIT_ENABLED": False})
    html = _html(app.test_client(), "/")
    assert "Old numbers" in html and ">5<" in html.replace("\n", "").replace(" ", "")
