"""Errors the web app tolerates (a page or a scrape still answers) are logged, not swallowed."""

from __future__ import annotations

import logging
import shutil
from typing import Any

import pytest
from api_corpus import by_title

from search_api import create_app
from tidings.core.config import Settings


def _break_index(settings: Settings) -> None:
    """Leave a file where the index directory was: opening the index fails."""
    shutil.rmtree(settings.index_dir)
    settings.index_dir.write_text("not an index", encoding="utf-8")


def test_article_page_logs_why_related_articles_are_missing(
    fresh: tuple[Settings, list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    settings, articles = fresh
    _break_index(settings)  # the store still has the article
    article = by_title(articles, "Underdogs win the cup final")
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()
    with caplog.at_level(logging.WARNING, logger="search_api"):
        resp = client.get(f"/articles/{article['id']}")
    assert resp.status_code == 200 and b"Underdogs win the cup final" in resp.data
    logged = [r for r in caplog.records if r.name == "search_api.pages"]
    assert logged and article["id"] in logged[0].getMessage() and logged[0].exc_info


def test_metrics_scrape_logs_what_it_left_out(
    fresh: tuple[Settings, list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    settings, _ = fresh
    _break_index(settings)
    settings.db_path.unlink()
    settings.db_path.mkdir()  # a store that cannot be opened
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()
    with caplog.at_level(logging.WARNING, logger="search_api"):
        resp = client.get("/metrics")
    assert resp.status_code == 200 and b"tidings_http_requests" in resp.data
    assert b"tidings_articles_indexed " not in resp.data
    messages = [r.getMessage() for r in caplog.records if r.name == "search_api.metrics"]
    assert any("tidings_articles_indexed" in m for m in messages)
    assert any("per-source crawl metrics" in m for m in messages)
    assert all(r.exc_info for r in caplog.records if r.name == "search_api.metrics")


def test_analyst_page_logs_an_unavailable_index(
    fresh: tuple[Settings, list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    settings, _ = fresh
    _break_index(settings)
    client = create_app(settings, config={"RATELIMIT_ENABLED": False}).test_client()
    with caplog.at_level(logging.WARNING, logger="search_api"):
        resp = client.get("/?q=rates")
    assert resp.status_code == 503
    assert any(r.name == "search_api.pages" and "index" in r.getMessage()
               for r in caplog.records)  # fmt: skip
