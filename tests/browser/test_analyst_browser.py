"""The analyst page, the article view and the feeds in Chromium."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from browser_site import XSS_TITLE, Site
from playwright.sync_api import Page, expect


def _facets(page: Page, name: str) -> dict[str, int]:
    items = page.locator(f'section.facet[data-facet="{name}"] li')
    out = {}
    for i in range(items.count()):
        item = items.nth(i)
        value = item.locator("a").get_attribute("data-value") or ""
        out[value] = int(item.locator(".count").inner_text())
    return out


def _chart_total(page: Page) -> int:
    """Sum of the counts uPlot drew (the page sets data-rendered once the chart is drawn)."""
    plot = page.locator("#volume")
    expect(plot).to_have_attribute("data-rendered", re.compile(r"^\d+$"))
    expect(plot.locator("canvas")).to_have_count(1)
    return int(plot.get_attribute("data-rendered") or -1)


def _query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def test_dialog_detection_works(page: Page, site: Site, watch: Any) -> None:
    """Control: an alert() is caught, so 'no dialog fired' below means no script ran."""
    page.goto(f"{site.app}/")
    page.evaluate("() => window.alert('probe')")
    assert watch.dialogs == ["alert: probe"]


def test_facets_and_chart_follow_the_query(page: Page, site: Site, watch: Any, shot: Any) -> None:
    page.goto(f"{site.app}/")
    assert _chart_total(page) == 11
    topics = _facets(page, "topic")
    assert topics["sport"] == 2 and topics["economy"] == 3
    shot(page, "analyst-desktop", doc=True)

    box = page.get_by_role("searchbox", name="Search query")
    box.fill("climate")
    box.press("Enter")
    page.wait_for_url("**/?q=climate**")
    expect(page.locator(".total")).to_have_text("3 results for “climate”")
    assert _chart_total(page) == 3
    assert set(_facets(page, "topic")) == {"politics", "environment"}
    assert _facets(page, "entity") == {"parliament": 1}
    expect(page.locator(".hit h3 b").first).to_have_text("climate")

    page.locator('section.facet[data-facet="topic"] a[data-value="politics"]').click()
    page.wait_for_url("**topic=politics**")
    assert _query(page) == {"q": ["climate"], "topic": ["politics"]}  # default sort left out
    expect(page.locator(".total")).to_have_text("2 results for “climate”")
    assert _chart_total(page) == 2
    expect(page.locator(".chip")).to_contain_text("politics")
    shot(page, "analyst-filtered", doc=True)

    page.locator(".chip").first.click()  # removes the filter again
    page.wait_for_url(lambda url: "topic=" not in url)
    expect(page.locator(".total")).to_have_text("3 results for “climate”")
    watch.assert_clean()


def test_chart_drag_selects_dates(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.app}/")
    _chart_total(page)
    over = page.locator("#volume .u-over")
    box = over.bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.05, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=5)
    page.mouse.up()
    page.wait_for_url("**from=**")
    query = _query(page)
    assert query["from"][0] <= query["to"][0]
    total = _chart_total(page)
    assert 0 < total < 11
    watch.assert_clean()


def test_state_in_the_url_is_shareable(page: Page, site: Site, watch: Any) -> None:
    url = f"{site.app}/?q=rates&topic=economy&sort=date"
    page.goto(url)
    expect(page.get_by_role("searchbox", name="Search query")).to_have_value("rates")
    expect(page.locator("select[name=sort]")).to_have_value("date")
    titles = page.locator(".hit h3").all_inner_texts()
    page.goto(url)  # a fresh load of the same URL shows the same view
    assert page.locator(".hit h3").all_inner_texts() == titles
    watch.assert_clean()


def test_phone_width(page: Page, site: Site, watch: Any, shot: Any) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site.app}/?q=bank")
    _chart_total(page)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    results = page.locator(".results").bounding_box()
    facets = page.locator(".facets").bounding_box()
    assert results and facets and facets["y"] > results["y"]  # one column, results first
    shot(page, "analyst-phone", doc=True)
    watch.assert_clean()


def test_xss_title_is_text_on_the_page(page: Page, site: Site, watch: Any) -> None:
    for url in ("/", "/?q=onerror", "/?topic=security", "/?q=script"):
        page.goto(site.app + url)
        titles = page.locator(".hit h3 a").all_inner_texts()
        assert XSS_TITLE in titles, url
        assert page.locator(".hits img, .hits script").count() == 0
    page.wait_for_timeout(300)
    watch.assert_clean()


def test_article_view(page: Page, site: Site, watch: Any, shot: Any) -> None:
    page.goto(f"{site.app}/?q=central+bank")
    page.locator(".hit h3 a").first.click()
    page.wait_for_url("**/articles/**")
    expect(page.locator("h1")).to_contain_text("Central bank raises")
    expect(page.locator("#cluster li")).to_have_count(1)
    expect(page.locator(".topics .badge")).to_have_count(2)
    shot(page, "article", doc=True)
    watch.assert_clean()


def test_xss_article_view(page: Page, site: Site, watch: Any) -> None:
    xss = site.article(XSS_TITLE)
    page.goto(f"{site.app}/articles/{xss['id']}")
    expect(page.locator("h1")).to_have_text(XSS_TITLE)
    assert page.title().startswith(XSS_TITLE)
    expect(page.locator(".body")).to_contain_text("<script>alert(2)</script> never runs.")
    assert page.locator("main img, main script").count() == 0
    page.wait_for_timeout(300)
    watch.assert_clean()


def test_xss_in_feeds_opened_in_the_browser(page: Page, site: Site, watch: Any) -> None:
    for fmt in ("rss", "atom", "json"):
        resp = page.goto(f"{site.app}/feeds/topic/security.{fmt}")
        assert resp and resp.ok
        text = page.locator("body").inner_text()  # the document as the browser shows it
        if fmt == "json":
            titles = [i["title"] for i in json.loads(text)["items"]]
            assert XSS_TITLE in titles
        else:
            assert "&lt;img src=x onerror=alert(1)&gt;" in text and "<img" not in text
        assert page.evaluate("document.getElementsByTagName('img').length") == 0
        page.wait_for_timeout(300)
    watch.assert_clean()


def test_export_links_download(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.app}/?q=security")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV").click()
    download = info.value
    assert download.suggested_filename == "tidings-export.csv"
    content = download.path().read_text(encoding="utf-8")
    assert content.startswith("id,published_at,title") and XSS_TITLE in content
    watch.assert_clean()


def _stories(site: Site) -> dict[str, list[dict[str, Any]]]:
    """Story id -> its articles, from what the test site stored."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for a in site.articles:
        grouped.setdefault(a["story_id"], []).append(a)
    return grouped


def test_story_view_lists_stories_and_draws_a_storys_timeline(
    page: Page, site: Site, watch: Any, shot: Any
) -> None:
    page.goto(f"{site.app}/?q=rates")
    page.get_by_role("link", name="Stories", exact=True).click()
    page.wait_for_url("**/stories?q=rates")
    expect(page.get_by_role("searchbox", name="Search query")).to_have_value("rates")
    stories = _stories(site)
    bank = site.article("Central bank raises interest rates")
    item = page.locator(f'.story[data-id="{bank["story_id"]}"]')
    expect(item.locator(".sources")).to_have_text("2 sources")
    expect(item.locator(".articles")).to_have_text("2 articles")
    days = sorted(a["published_at"][:10] for a in stories[bank["story_id"]])
    expect(item.locator("time.first")).to_have_text(days[0])
    expect(item.locator("time.last")).to_have_text(days[-1])
    shot(page, "stories-list", doc=True)

    page.goto(f"{site.app}/stories")
    assert page.locator(".story").count() == min(len(stories), 20)
    link = page.locator(f'.story[data-id="{bank["story_id"]}"] h3 a')
    headline = link.inner_text()
    assert headline in {a["title"] for a in stories[bank["story_id"]]}  # one of its titles
    link.click()
    page.wait_for_url(f"**/stories/{bank['story_id']}")
    expect(page.locator("h1")).to_have_text(headline)
    expect(page.locator(".coverage .hit")).to_have_count(2)
    expect(page.locator(".coverage .source")).to_have_text(["Daily Wire Service", "The Herald"])
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-rendered", "2")  # uPlot drew both articles
    expect(timeline.locator("canvas")).to_have_count(1)
    shot(page, "story", doc=True)

    page.locator(".coverage .hit h3 a").first.click()  # on to the article view
    page.wait_for_url("**/articles/**")
    expect(page.locator("h1")).to_have_text("Central bank raises interest rates")
    watch.assert_clean()


def test_story_timeline_does_not_narrow_dates_on_drag(page: Page, site: Site, watch: Any) -> None:
    bank = site.article("Central bank raises interest rates")
    page.goto(f"{site.app}/stories/{bank['story_id']}")
    expect(page.locator("#timeline")).to_have_attribute("data-rendered", "2")
    box = page.locator("#timeline .u-over").bounding_box()
    assert box
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.9, y, steps=5)
    page.mouse.up()
    page.wait_for_timeout(300)
    assert urlsplit(page.url).path == f"/stories/{bank['story_id']}" and "from=" not in page.url
    watch.assert_clean()


def test_xss_headline_is_text_in_the_story_view(page: Page, site: Site, watch: Any) -> None:
    xss = site.article(XSS_TITLE)
    for url in ("/stories", "/stories?q=onerror", "/stories?topic=security"):
        page.goto(site.app + url)
        assert XSS_TITLE in page.locator(".story h3 a").all_inner_texts(), url
        assert page.locator(".stories img, .stories script").count() == 0
    page.goto(f"{site.app}/stories/{xss['story_id']}")
    expect(page.locator("h1")).to_have_text(XSS_TITLE)
    assert page.title().startswith(XSS_TITLE)
    expect(page.locator(".coverage .hit h3 a")).to_have_text([XSS_TITLE])
    assert page.locator("main img, main script").count() == 0
    page.wait_for_timeout(300)
    watch.assert_clean()
