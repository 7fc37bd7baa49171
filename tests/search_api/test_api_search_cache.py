"""The per-worker search response cache: it answers repeats, and never outlives an index commit."""

from __future__ import annotations

from typing import Any

from search_api import create_app
from tidings.core.article import normalise
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.store import Store

BODY = " ".join(["Harbour cranes were idle while dock workers met the port authority."] * 8)


def _add_article(settings: Settings) -> None:
    record = normalise(
        {"url": "https://late.example/zeppelin", "title": "Zeppelin returns", "body": BODY}
    )
    with Store(settings.db_path) as store:
        stored = store.upsert([record]).articles
    index = open_index(settings, writable=True)
    try:
        index.upsert(stored)
    finally:
        index.close()


def test_cached_search_is_invalidated_by_a_commit(fresh: tuple[Settings, list[Any]]) -> None:
    settings, _ = fresh
    app = create_app(
        settings, config={"RATELIMIT_ENABLED": False, "TIDINGS_SEARCH_CACHE_SECONDS": 3600}
    )
    try:
        client = app.test_client()
        index = app.extensions["tidings"].index
        calls: list[object] = []
        original = index.search

        def counting(request: object) -> object:
            calls.append(request)
            return original(request)

        index.search = counting  # count real searches; the real index still answers
        first = client.get("/api/v1/search?q=zeppelin").get_json()
        again = client.get("/api/v1/search?q=zeppelin").get_json()
        assert first == again and first["total"] == 0
        assert len(calls) == 1, "the repeat was not answered from the cache"
        _add_article(settings)
        after = client.get("/api/v1/search?q=zeppelin").get_json()
        assert after["total"] == 1 and len(calls) == 2
    finally:
        app.extensions["tidings"].close()
