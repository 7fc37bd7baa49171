"""The API docs page in real Chromium: Swagger UI (vendored) renders the generated document
under the page's CSP, and "Try it out" calls the live app (here a NewsAPI endpoint)."""

from __future__ import annotations

import json
from typing import Any

from browser_site import Site
from playwright.sync_api import Page, expect


def test_swagger_ui_renders_and_tries_a_newsapi_call(
    page: Page, site: Site, watch: Any, shot: Any
) -> None:
    remote: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((site.app, "data:")) else remote.append(r.url),
    )
    page.goto(f"{site.app}/api/v1/docs/")
    expect(page.locator(".information-container .title")).to_contain_text("Tidings API")
    op = _operation(page, "/v2/everything")
    expect(op).to_be_visible()
    expect(_operation(page, "/api/v1/search")).to_be_visible()

    op.locator(".opblock-summary").click()
    q = op.locator('tr[data-param-name="q"]')
    q.get_by_role("button", name="Add string item").click()  # try-it-out is on from the start
    q.locator("input").first.fill('"central bank" OR climate')
    op.locator("button.execute").click()
    body = op.locator(".live-responses-table .response-col_description pre").first
    expect(body).to_contain_text('"status": "ok"')
    answer = json.loads(body.inner_text())
    titles = {a["title"] for a in answer["articles"]}
    assert "Central bank raises interest rates" in titles
    assert "Parliament passes climate bill after long debate" in titles
    assert answer["totalResults"] == len(answer["articles"])
    shot(page, "api-docs-swagger-ui", doc=True)
    assert remote == [], f"the docs page fetched from elsewhere: {remote}"
    watch.assert_clean()


def test_swagger_ui_documents_and_tries_the_stories(page: Page, site: Site, watch: Any) -> None:
    page.goto(f"{site.app}/api/v1/docs/")
    for path in ("/api/v1/stories/{story_id}", "/feeds/stories.{fmt}"):
        expect(_operation(page, path)).to_be_visible()
    op = _operation(page, "/api/v1/stories")
    op.locator(".opblock-summary").click()
    op.locator('tr[data-param-name="limit"] input').fill("50")
    op.locator("button.execute").click()
    body = op.locator(".live-responses-table .response-col_description pre").first
    expect(body).to_contain_text('"stories"')
    stories = json.loads(body.inner_text())["stories"]
    assert len(stories) == len({a["story_id"] for a in site.articles})
    bank = site.article("Central bank raises interest rates")
    (two,) = [s for s in stories if s["id"] == bank["story_id"]]
    assert (two["article_count"], two["source_count"]) == (2, 2)
    watch.assert_clean()


def _operation(page: Page, path: str) -> Any:
    return page.locator(".opblock", has=page.locator(f'[data-path="{path}"]'))
