"""The bundled demo news site, checked over real HTTP on loopback.

The crawler's end-to-end tests and ``tidings demo`` trust this site to be what README.md says
it is; these tests hold it to that: feeds and sitemaps resolve, the special pages are special
in exactly the documented way, and the committed files are a fresh build of the data.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from email.utils import formatdate
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.etree import ElementTree

import feedparser
import lxml.html
import pytest

from tidings.demo import build_site
from tidings.demo.articles import (
    CIRCUIT_DAILY,
    OUTLETS,
    DemoArticle,
    broken_paths,
    by_special,
    events,
    load_articles,
    published_by,
    same_kind_events,
    syndicated_pairs,
)
from tidings.demo.server import DemoSite, serve_demo_site

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
#: Circuit Daily's articles: its feeds, sitemaps and pages list these and nothing else.
ARTICLES = published_by(CIRCUIT_DAILY)
SERVED = [a for a in ARTICLES if a.served]
OTHERS = [a for a in load_articles() if a.outlet != CIRCUIT_DAILY]


class Response:
    """Status, headers and raw bytes of one HTTP exchange (errors included)."""

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    @property
    def charset(self) -> str | None:
        match = re.search(r"charset=([\w-]+)", self.headers.get("content-type", ""))
        return match.group(1).lower() if match else None

    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8")


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Response:
    """One request with urllib, returning error statuses instead of raising."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    req = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with opener.open(req, timeout=10) as resp:
            hdrs = {k.lower(): v for k, v in resp.headers.items()}
            return Response(resp.status, hdrs, resp.read())
    except urllib.error.HTTPError as err:
        hdrs = {k.lower(): v for k, v in err.headers.items()}
        return Response(err.code, hdrs, err.read())


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with serve_demo_site() as running:
        yield running


def _dt(value: object) -> datetime:
    assert isinstance(value, str), value
    return datetime.fromisoformat(value)


def _expected_status(site: DemoSite, url: str) -> int:
    return 500 if urlsplit(url).path in broken_paths() else 200


def _page(site: DemoSite, a: DemoArticle) -> lxml.html.HtmlElement:
    resp = fetch(site.url(a.url_path))
    assert resp.status == 200, a.path
    return lxml.html.fromstring(resp.text())


def _news_articles(doc: lxml.html.HtmlElement) -> list[dict[str, object]]:
    """Every JSON-LD object typed NewsArticle: top-level, in a list or in an @graph."""
    found = []
    for script in doc.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text)
        items = data if isinstance(data, list) else [data]
        for item in list(items):
            items.extend(item.get("@graph", []))
        found += [i for i in items if i.get("@type") == "NewsArticle"]
    return found


def _feed_links(site: DemoSite, name: str) -> dict[str, feedparser.FeedParserDict]:
    resp = fetch(site.url(name))
    parsed = feedparser.parse(resp.body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return {e.link: e for e in parsed.entries}


def _sitemap_urls(site: DemoSite, name: str) -> ElementTree.Element:
    resp = fetch(site.url(name))
    assert resp.status == 200
    return ElementTree.fromstring(resp.body)


# ------------------------------------------------------------------------------ build


def test_committed_site_is_a_fresh_build(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site.build(out)
    fresh = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    site_dir = build_site.SITE_DIR
    committed = {
        p.relative_to(site_dir).as_posix(): p.read_bytes()
        for p in site_dir.rglob("*")
        if p.is_file()
    }
    assert sorted(committed) == sorted(fresh), "run python -m tidings.demo.build_site"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale files, run python -m tidings.demo.build_site: {stale}"


def test_readme_tables_are_current() -> None:
    text = build_site.README.read_text(encoding="utf-8")
    assert build_site.readme_with_tables(text, list(load_articles())) == text, (
        "run python -m tidings.demo.build_site"
    )


def test_article_data_is_consistent() -> None:
    assert len(SERVED) >= 44
    for a in SERVED:
        assert 250 <= len(a.body.split()) <= 600, a.path
    assert len([a for a in ARTICLES if a.sitemap_only]) >= 6
    assert 25 <= sum(a.rss for a in ARTICLES) <= 35
    (search,) = by_special("search-company")
    assert "3%" in search.title and "3%" in search.paragraphs[0]


# ------------------------------------------------------------------------------ server


def test_content_types_and_statuses(site: DemoSite) -> None:
    expected = {
        "/": "text/html; charset=utf-8",
        "/tech/": "text/html; charset=utf-8",
        SERVED[0].url_path: "text/html; charset=utf-8",
        "/feed.rss": "application/rss+xml; charset=utf-8",
        "/feed.atom": "application/atom+xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        "/img/tech.png": "image/png",
    }
    for path, ctype in expected.items():
        resp = fetch(site.url(path))
        assert resp.status == 200, path
        assert resp.headers["content-type"] == ctype, path
    assert fetch(site.url("/no-such-page.html")).status == 404
    assert fetch(site.url("/../pyproject.toml")).status == 404
    redirect = fetch(site.url("/tech"))
    assert redirect.status == 301 and redirect.headers["location"] == "/tech/"
    for path in broken_paths():
        assert fetch(site.url(path)).status == 500
        assert fetch(site.url(path), method="HEAD").status == 500
    head = fetch(site.url("/feed.rss"), method="HEAD")
    assert head.status == 200 and head.body == b"" and int(head.headers["content-length"]) > 0


def test_robots_allows_everything_and_names_the_sitemap(site: DemoSite) -> None:
    text = fetch(site.url("/robots.txt")).text()
    assert "User-agent: *" in text and "Allow: /" in text and "Disallow: /" not in text
    assert f"Sitemap: {site.base_url}/sitemap.xml" in text


def test_conditional_get(site: DemoSite) -> None:
    first = fetch(site.url("/feed.rss"))
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert fetch(site.url("/feed.rss"), {"If-None-Match": etag}).status == 304
    assert fetch(site.url("/feed.rss"), {"If-None-Match": '"other"'}).status == 200
    assert fetch(site.url("/feed.rss"), {"If-Modified-Since": last_modified}).status == 304
    old = formatdate(0, usegmt=True)
    assert fetch(site.url("/feed.rss"), {"If-Modified-Since": old}).status == 200
    hits = [h for h in site.hits if h.path == "/feed.rss"]
    assert any(h.conditional and h.status == 304 for h in hits)


def test_quiet_and_stoppable(capfd: pytest.CaptureFixture[str]) -> None:
    own = serve_demo_site()
    port = own.port
    assert own.base_url == f"http://127.0.0.1:{port}"
    assert fetch(own.url("/")).status == 200
    own.stop()
    own.stop()  # twice is fine
    assert "GET /" not in capfd.readouterr().err
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)


# ------------------------------------------------------------------------------ feeds, sitemaps


def test_feeds_parse_and_their_links_resolve(site: DemoSite) -> None:
    for name, flag in (("/feed.rss", "rss"), ("/feed.atom", "atom")):
        entries = _feed_links(site, name)
        expected = {site.url(a.url_path) for a in ARTICLES if getattr(a, flag)}
        assert set(entries) == expected, name
        for link, entry in entries.items():
            assert entry.get("published_parsed"), link
            assert entry.get("author"), link
            assert entry.get("summary"), link
            assert entry.get("id"), link
            assert fetch(link).status == _expected_status(site, link), link


def test_rss_items_carry_pubdate_guid_creator_description(site: DemoSite) -> None:
    root = ElementTree.fromstring(fetch(site.url("/feed.rss")).body)
    items = root.findall("./channel/item")
    assert len(items) == sum(a.rss for a in ARTICLES)
    for item in items:
        for tag in ("title", "link", "guid", "pubDate", "description",
                    "{http://purl.org/dc/elements/1.1/}creator"):
            assert (item.findtext(tag) or "").strip(), tag


def test_sitemap_index_leads_to_every_article(site: DemoSite) -> None:
    index = _sitemap_urls(site, "/sitemap.xml")
    assert index.tag == f"{SM}sitemapindex"
    children = [loc.text for loc in index.iter(f"{SM}loc")]
    assert children == [site.url("/sitemap-articles.xml"), site.url("/sitemap-news.xml")]
    seen: set[str] = set()
    for child in children:
        assert child is not None
        urlset = _sitemap_urls(site, urlsplit(child).path)
        assert urlset.tag == f"{SM}urlset"
        for loc in urlset.iter(f"{SM}loc"):
            assert loc.text is not None
            seen.add(loc.text)
    for url in seen:
        assert fetch(url).status == _expected_status(site, url), url
    expected = {site.url(a.url_path) for a in ARTICLES if a.sitemap or a.news}
    assert seen == expected


def test_article_sitemap_lastmod_and_news_sitemap_fields(site: DemoSite) -> None:
    by_url = {site.url(a.url_path): a for a in ARTICLES}
    for node in _sitemap_urls(site, "/sitemap-articles.xml").iter(f"{SM}url"):
        a = by_url[node.findtext(f"{SM}loc") or ""]
        lastmod = node.findtext(f"{SM}lastmod")
        assert (lastmod is None) == (a.special == "no-date"), a.path
    news = list(_sitemap_urls(site, "/sitemap-news.xml").iter(f"{SM}url"))
    assert len(news) == sum(a.news for a in ARTICLES)
    for node in news:
        a = by_url[node.findtext(f"{SM}loc") or ""]
        assert node.findtext(f".//{NEWS}title") == a.title
        assert node.findtext(f".//{NEWS}publication/{NEWS}name") == "Circuit Daily"
        assert _dt(node.findtext(f".//{NEWS}publication_date")) == a.published_dt


def test_sitemap_only_articles_are_in_no_feed_and_linked_from_no_page(site: DemoSite) -> None:
    feed_links = set(_feed_links(site, "/feed.rss")) | set(_feed_links(site, "/feed.atom"))
    sitemap_only = [a for a in ARTICLES if a.sitemap_only]
    assert len(sitemap_only) >= 6
    for a in sitemap_only:
        assert site.url(a.url_path) not in feed_links
    # Follow every same-site link from the home page: no sitemap-only page is reachable.
    reached: set[str] = set()
    queue = ["/"]
    while queue:
        path = queue.pop()
        if path in reached:
            continue
        reached.add(path)
        resp = fetch(site.url(path))
        if resp.status != 200 or not resp.headers["content-type"].startswith("text/html"):
            continue
        for href in lxml.html.fromstring(resp.text()).xpath("//a/@href"):
            url = urlsplit(urljoin(site.url(path), href))
            if url.netloc == urlsplit(site.base_url).netloc:
                queue.append(url.path)
    assert len(reached) > 40
    assert not {a.url_path for a in sitemap_only} & reached
    assert {a.url_path for a in ARTICLES if a.in_feed} <= reached


def test_many_articles_are_in_both_a_feed_and_a_sitemap() -> None:
    assert sum(a.in_feed and a.sitemap for a in ARTICLES) >= 25


# ------------------------------------------------------------------------------ pages


def test_no_placeholder_left_in_any_response(site: DemoSite) -> None:
    for path in sorted(build_site.SITE_DIR.rglob("*")):
        if path.is_file():
            rel = "/" + path.relative_to(build_site.SITE_DIR).as_posix()
            body = fetch(site.url(rel)).body
            assert b"__BASE_URL__" not in body, rel
            if rel.endswith((".rss", ".atom", ".xml")):
                assert site.base_url.encode() in body, rel


def test_every_article_page_has_the_documented_markup(site: DemoSite) -> None:
    assert len(SERVED) >= 44
    for a in SERVED:
        doc = _page(site, a)
        url = site.url(a.url_path)
        assert doc.xpath('string(//link[@rel="canonical"]/@href)') == url, a.path
        og = {m.get("property"): m.get("content") for m in doc.xpath("//meta[@property]")}
        assert og["og:url"] == url and og["og:type"] == "article", a.path
        assert og["og:title"] == a.title and og["og:image"].startswith(site.base_url)
        (ld,) = _news_articles(doc)
        assert ld["headline"] == a.title, a.path
        assert [p["name"] for p in ld["author"]] == list(a.authors)  # type: ignore[union-attr]
        assert ld["publisher"] and ld["image"], a.path
        times = doc.xpath("//time/@datetime")
        assert doc.xpath('//*[@rel="author"]'), a.path
        assert doc.xpath('//*[contains(@class, "ad-slot")]'), a.path
        assert doc.xpath('//*[contains(@class, "comment")]'), a.path
        assert len(doc.xpath("//nav//a")) >= 8, a.path
        if a.page_has_date:
            assert _dt(ld["datePublished"]) == a.published_dt, a.path
            assert _dt(og["article:published_time"]) == a.published_dt, a.path
            assert _dt(times[0]) == a.published_dt, a.path
            assert ("dateModified" in ld) == (a.modified is not None), a.path
        else:
            assert "datePublished" not in ld and "article:published_time" not in og
            assert not times, a.path
        text = " ".join(doc.text_content().split())
        for para in a.paragraphs:
            assert para in text, a.path


def test_layouts_vary() -> None:
    assert len({a.layout for a in SERVED}) >= 4


def test_latin1_page(site: DemoSite) -> None:
    (a,) = by_special("latin-1")
    resp = fetch(site.url(a.url_path))
    assert resp.headers["content-type"] == "text/html; charset=iso-8859-1"
    with pytest.raises(UnicodeDecodeError):
        resp.body.decode("utf-8")
    text = resp.body.decode("latin-1")
    assert '<meta charset="iso-8859-1">' in text
    for word in ("Zürich", "Société Générale", "café"):
        assert word in text
    assert "Zürich".encode("latin-1") in resp.body


def test_no_date_page(site: DemoSite) -> None:
    (a,) = by_special("no-date")
    body = fetch(site.url(a.url_path)).text()
    assert not re.search(r"20\d\d|datetime=|published_time|datePublished|dateModified", body)
    assert not a.in_feed and not a.news
    articles_sitemap = fetch(site.url("/sitemap-articles.xml")).text()
    entry = re.search(rf"<url><loc>{re.escape(site.url(a.url_path))}</loc>(.*?)</url>",
                      articles_sitemap)
    assert entry is not None and entry.group(1) == ""


def test_feed_date_only_page(site: DemoSite) -> None:
    (a,) = by_special("feed-date-only")
    body = fetch(site.url(a.url_path)).text()
    assert not re.search(r"20\d\d|datetime=|published_time|datePublished", body)
    entry = _feed_links(site, "/feed.rss")[site.url(a.url_path)]
    assert entry.published_parsed[:6] == a.published_utc.timetuple()[:6]  # type: ignore[union-attr]
    assert not a.sitemap and not a.news and not a.atom


def test_broken_page_is_in_a_feed(site: DemoSite) -> None:
    (a,) = by_special("http-500")
    assert a.url_path in broken_paths()
    assert site.url(a.url_path) in _feed_links(site, "/feed.rss")
    assert not (build_site.SITE_DIR / a.path).exists()


def test_syndicated_pairs_are_near_duplicates(site: DemoSite) -> None:
    pairs = syndicated_pairs()
    assert len(pairs) >= 2
    for original, copy in pairs:
        assert build_site.body_jaccard(original, copy) >= 0.8
        assert original.paragraphs != copy.paragraphs
        canon = [
            _page(site, a).xpath('string(//link[@rel="canonical"]/@href)')
            for a in (original, copy)
        ]
        assert canon[0] != canon[1]
        assert original.section != copy.section


def test_shared_boilerplate_pair_is_distinct(site: DemoSite) -> None:
    first, second = by_special("shared-boilerplate")
    assert build_site.body_jaccard(first, second) < 0.05
    docs = [_page(site, a) for a in (first, second)]
    boxes = [lxml.html.tostring(d.xpath('//aside[@class="related"]')[0]) for d in docs]
    notes = [d.xpath('string(//p[@class="briefing-note"])') for d in docs]
    assert boxes[0] == boxes[1] and notes[0] == notes[1] and len(notes[0].split()) > 60


# ------------------------------------------------------------------------------ other outlets


def test_other_outlets_feeds_list_their_articles_only(site: DemoSite) -> None:
    assert len(OUTLETS) >= 4
    for outlet in OUTLETS.values():
        if outlet.id == CIRCUIT_DAILY:
            continue
        entries = _feed_links(site, f"/{outlet.id}/feed.rss")
        expected = {site.url(a.url_path) for a in OTHERS if a.outlet == outlet.id}
        assert expected and set(entries) == expected, outlet.id
        for link, entry in entries.items():
            assert entry.get("published_parsed") and entry.get("author"), link
            assert fetch(link).status == 200, link


def test_other_outlets_pages_name_their_publisher(site: DemoSite) -> None:
    for a in OTHERS:
        doc = _page(site, a)
        assert doc.xpath('string(//link[@rel="canonical"]/@href)') == site.url(a.url_path)
        (ld,) = _news_articles(doc)
        assert ld["headline"] == a.title, a.path
        assert ld["publisher"]["name"] == OUTLETS[a.outlet].name, a.path  # type: ignore[index]
        assert _dt(ld["datePublished"]) == a.published_dt, a.path
        assert _dt(doc.xpath("string(//time/@datetime)")) == a.published_dt, a.path
        text = " ".join(doc.text_content().split())
        assert all(para in text for para in a.paragraphs), a.path


def test_events_are_reported_by_several_outlets_in_their_own_words() -> None:
    reported = events()
    several = {e: m for e, m in reported.items() if len({a.outlet for a in m}) >= 3}
    assert len(several) >= 4, sorted(several)
    for event, members in reported.items():
        assert len({a.outlet for a in members}) == len(members), event  # one report per outlet
        for i, first in enumerate(members):
            for second in members[i + 1 :]:
                # not copies of one text (those are MinHash clusters, pairs A and B above)
                assert build_site.body_jaccard(first, second) < 0.2, (first.path, second.path)
                assert first.title != second.title


def test_same_kind_events_are_two_events_of_one_week() -> None:
    pairs = same_kind_events()
    assert pairs
    for first, second in pairs:
        one, two = events()[first], events()[second]
        assert not {a.path for a in one} & {a.path for a in two}
        assert {"earnings"} <= {t for a in one for t in a.tags} & {t for a in two for t in a.tags}
        days = [a.published_utc for a in one + two if a.published_utc]
        assert (max(days) - min(days)).days < 7
