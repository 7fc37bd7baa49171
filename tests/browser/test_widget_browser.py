"""The headline widget in Chromium, embedded in a page served from another loopback origin."""

from __future__ import annotations

from typing import Any

from browser_site import XSS_TITLE, Site
from playwright.sync_api import Page, expect

WIDGET = ".tidings-widget"


def _ready(page: Page, nth: int = 0) -> Any:
    host = page.locator(WIDGET).nth(nth)
    expect(host).to_have_attribute("data-state", "ready")
    return host


def _style(page: Page, selector: str, prop: str, *, shadow: bool) -> str:
    """Computed ``prop`` of the first match of ``selector`` (inside the widget's shadow root)."""
    script = """([sel, prop, shadow]) => {
        const root = shadow ? document.querySelector('.tidings-widget').shadowRoot : document;
        return getComputedStyle(root.querySelector(sel)).getPropertyValue(prop);
    }"""
    return page.evaluate(script, [selector, prop, shadow])


def test_widget_renders_headlines_from_another_origin(
    page: Page, site: Site, watch: Any, shot: Any
) -> None:
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/api/v1/" in r.url else None)
    page.goto(f"{site.host}/light")
    host = _ready(page)
    assert page.evaluate("location.origin") != site.app
    links = host.locator(".tw-link")
    expect(links).to_have_count(5)
    assert links.first.inner_text() == "Floods force thousands from homes"
    assert links.first.get_attribute("href") == "https://herald.example.org/environment/floods"
    assert links.first.get_attribute("rel") == "noopener noreferrer"
    meta = host.locator(".tw-meta").first.inner_text()
    assert meta.startswith("The Herald · ") and ("ago" in meta or "yesterday" in meta), meta
    assert calls and all(c.startswith(f"{site.app}/api/v1/recent?") for c in calls), calls
    # rendered in a shadow root right after the script tag, not in the host's DOM
    assert page.evaluate("document.querySelectorAll('.tw-link').length") == 1  # the host's own
    after_script = "document.querySelector('script[src$=\"/widget.js\"]').nextElementSibling"
    assert page.evaluate(f"{after_script}.shadowRoot !== null")
    shot(host, "widget-light", doc=True)
    shot(page, "widget-light-on-host-page", doc=True)
    watch.assert_clean()


def test_host_css_does_not_reach_the_widget_and_back(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.host}/light")
    _ready(page)
    # host rules (a { color: red !important }, .tw-link { background: yellow }) stay outside
    assert _style(page, ".tw-link", "color", shadow=True) == "rgb(11, 87, 208)"
    assert _style(page, ".tw-link", "background-color", shadow=True) == "rgba(0, 0, 0, 0)"
    assert _style(page, ".tw-link", "font-size", shadow=True) == "14px"
    assert _style(page, ".tw-item", "border-top-style", shadow=True) in ("none", "solid")
    assert "dashed" not in _style(page, ".tw-item", "border-left-style", shadow=True)
    assert _style(page, ".tw", "font-family", shadow=True).startswith("system-ui")
    assert _style(page, ".tw-head", "color", shadow=True) == "rgb(95, 99, 104)"
    # ...and the widget's rules (.tw-head, .tw-link) do not restyle the host's elements
    assert _style(page, "#host-link", "color", shadow=False) == "rgb(255, 0, 0)"
    assert _style(page, "#host-link", "font-weight", shadow=False) == "400"
    assert _style(page, "#host-para", "text-transform", shadow=False) == "uppercase"
    assert _style(page, "#host-para", "letter-spacing", shadow=False) == "normal"
    assert _style(page, "body", "font-size", shadow=False) == "30px"
    watch.assert_clean()


def test_dark_theme(page: Page, site: Site, watch: Any, shot: Any) -> None:
    page.goto(f"{site.host}/dark")
    host = _ready(page)
    assert _style(page, ".tw", "background-color", shadow=True) == "rgb(32, 33, 36)"
    assert _style(page, ".tw-link", "color", shadow=True) == "rgb(138, 180, 248)"
    shot(host, "widget-dark", doc=True)
    watch.assert_clean()


def test_two_widgets_on_one_page(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.host}/two")
    sport, security = _ready(page, 0), _ready(page, 1)
    expect(sport.locator(".tw-link")).to_have_count(2)
    expect(sport.locator(".tw-head")).to_have_text("Latest: sport")
    expect(security.locator(".tw-head")).to_have_text("Latest: security")
    watch.assert_clean()


def test_xss_title_is_text_in_the_widget(page: Page, site: Site, watch: Any, shot: Any) -> None:
    page.goto(f"{site.host}/security")
    host = _ready(page)
    expect(host.locator(".tw-link").first).to_have_text(XSS_TITLE)
    images = page.evaluate(
        "document.querySelector('.tidings-widget').shadowRoot.querySelectorAll('img').length"
    )
    assert images == 0
    page.wait_for_timeout(300)  # an injected onerror would have fired by now
    shot(host, "widget-xss")
    watch.assert_clean()


def test_graceful_when_the_api_is_unreachable(page: Page, site: Site, watch: Any) -> None:
    page.route("**/api/v1/recent**", lambda route: route.abort("connectionrefused"))
    page.goto(f"{site.host}/light")
    host = page.locator(WIDGET)
    expect(host).to_have_attribute("data-state", "error")
    expect(host.locator(".tw-status")).to_have_text("Headlines are unavailable right now.")
    watch.console = [m for m in watch.console if "ERR_CONNECTION_REFUSED" not in m]
    watch.assert_clean()


def test_iframe_variant(page: Page, site: Site, watch: Any, shot: Any) -> None:
    page.goto(f"{site.host}/iframe")
    frame = page.frame_locator("#tw-frame")
    expect(frame.locator(".tw-link").first).to_have_text(XSS_TITLE)
    expect(frame.locator(".tw-link")).to_have_count(2)
    color = frame.locator(".tw-link").first.evaluate("el => getComputedStyle(el).color")
    assert color == "rgb(138, 180, 248)"  # dark theme, untouched by the host's a { color: red }
    assert frame.locator("img").count() == 0
    page.wait_for_timeout(300)
    shot(page.locator("#tw-frame"), "widget-iframe-dark")
    watch.assert_clean()


def test_story_mode_lists_one_line_per_story_with_its_other_sources(
    page: Page, site: Site, watch: Any, shot: Any
) -> None:
    calls: list[str] = []
    page.on("request", lambda r: calls.append(r.url) if "/api/v1/" in r.url else None)
    page.goto(f"{site.host}/stories")
    host = _ready(page)
    assert calls and all(c.startswith(f"{site.app}/api/v1/stories?") for c in calls), calls
    links = host.locator(".tw-link")
    stories = {a["story_id"] for a in site.articles}
    expect(links).to_have_count(min(len(stories), 20))
    assert len(stories) < len(site.articles)  # the two copies of one story: one line
    metas = host.locator(".tw-meta").all_inner_texts()
    assert any(" +1 source" in m for m in metas), metas
    expect(host.locator(".tw-link", has_text=XSS_TITLE)).to_have_count(1)  # text, not markup
    assert (
        page.evaluate(
            "document.querySelector('.tidings-widget').shadowRoot.querySelectorAll('img').length"
        )
        == 0
    )
    page.wait_for_timeout(300)  # an injected onerror would have fired by now
    shot(host, "widget-stories")
    watch.assert_clean()


#: Each line of a widget as the reader sees it: (story or article id, title, link, source).
LINES = """root => Array.from(root.querySelectorAll('.tw-item')).map(li => [
    li.dataset.id, li.querySelector('.tw-link').textContent,
    li.querySelector('.tw-link').href, (li.querySelector('.tw-source') || {}).textContent || ''])"""


def test_iframe_story_mode_with_a_hostile_headline(
    page: Page, site: Site, watch: Any, shot: Any
) -> None:
    page.goto(f"{site.host}/stories-both", wait_until="domcontentloaded")
    frame = page.frame_locator("#tw-frame")
    links = frame.locator(".tw-link")
    stories = {a["story_id"] for a in site.articles}
    expect(links).to_have_count(len(stories))
    assert len(stories) < len(site.articles)  # the two reports of one event: one line
    expect(frame.locator(".tw-link", has_text=XSS_TITLE)).to_have_count(1)  # text, not markup
    assert frame.locator("img").count() == 0 and frame.locator("script").count() == 0
    bank = site.article("Central bank raises interest rates")
    line = frame.locator(f'.tw-item[data-id="{bank["story_id"]}"]')
    expect(line.locator(".tw-source")).to_have_text("The Herald +1 source")
    expect(line.locator(".tw-link")).to_have_attribute(
        "href", f"{site.app}/stories/{bank['story_id']}"
    )
    page.wait_for_timeout(300)  # an injected onerror would have fired by now
    shot(page.locator("#tw-frame"), "widget-iframe-stories")
    watch.assert_clean()


def test_script_and_iframe_show_the_same_stories(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.host}/stories-both", wait_until="domcontentloaded")
    host = _ready(page)
    expect(page.frame_locator("#tw-frame").locator(".tw-item").first).to_be_visible()
    script_lines = host.evaluate(f"host => ({LINES})(host.shadowRoot)")
    frame = next(f for f in page.frames if f.url.startswith(f"{site.app}/widget?"))
    iframe_lines = frame.evaluate(f"({LINES})(document)")
    assert script_lines == iframe_lines
    assert any(source.endswith(" +1 source") for *_, source in iframe_lines), iframe_lines
    watch.assert_clean()


def test_a_story_line_opens_the_story(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.host}/stories-both", wait_until="domcontentloaded")
    xss = site.article(XSS_TITLE)
    link = page.frame_locator("#tw-frame").locator(f'.tw-item[data-id="{xss["story_id"]}"] a')
    expect(link).to_be_visible()  # the iframe has loaded (outside the popup's wait)
    with page.expect_popup() as popup:
        link.click()
    story = popup.value
    story.wait_for_load_state()
    assert story.url == f"{site.app}/stories/{xss['story_id']}"
    expect(story.locator("h1")).to_have_text(XSS_TITLE)
    story.close()
    watch.assert_clean()
