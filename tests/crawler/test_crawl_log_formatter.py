"""Scrapy's per-page DEBUG lines are built only when shown (crawler/run/log_formatter.py)."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.http import HtmlResponse, Request
from scrapy.logformatter import LogFormatter
from scrapy.utils.test import get_crawler

from crawler.run.log_formatter import ShownOnlyLogFormatter
from crawler.run.scrapy_settings import scrapy_settings
from tidings.core.config import Settings

URL = "http://127.0.0.1:8/a/1.html"


def page() -> tuple[Request, HtmlResponse, Spider]:
    request = Request(URL, headers={"Referer": "http://127.0.0.1:8/sitemap.xml"})
    response = HtmlResponse(URL, body=b"<html><title>t</title></html>", request=request)
    return request, response, Spider(name="news")


@pytest.mark.parametrize("level", ["INFO", "WARNING", "ERROR"])
def test_above_debug_the_per_page_lines_are_not_made(level: str) -> None:
    formatter = ShownOnlyLogFormatter.from_crawler(get_crawler(settings_dict={"LOG_LEVEL": level}))
    request, response, spider = page()
    assert formatter.crawled(request, response, spider) is None
    assert formatter.scraped({"id": "a"}, response, spider) is None


def test_at_debug_the_lines_are_scrapys_own() -> None:
    crawler = get_crawler(settings_dict={"LOG_LEVEL": "DEBUG"})
    formatter = ShownOnlyLogFormatter.from_crawler(crawler)
    request, response, spider = page()
    assert formatter.crawled(request, response, spider) == LogFormatter().crawled(
        request, response, spider
    )
    item = {"id": "a"}
    assert formatter.scraped(item, response, spider) == LogFormatter().scraped(
        item, response, spider
    )


def test_the_crawl_uses_it(tmp_path) -> None:  # type: ignore[no-untyped-def]
    values = scrapy_settings(Settings(home=tmp_path), log_level="info")
    crawler = get_crawler(settings_dict=values)
    assert isinstance(crawler.logformatter, ShownOnlyLogFormatter)
    assert crawler.logformatter.crawled(*page()) is None
