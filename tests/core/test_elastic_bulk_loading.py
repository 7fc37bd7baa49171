"""``ElasticIndex.bulk_loading()`` on the real node: what ``tidings import`` relies on.

Inside, upserts skip the per-batch refresh wait; when it ends every article is searchable,
and afterwards (also after a failure inside) upserts are visible on return again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tidings.core.index.base import SearchRequest
from tidings.core.index.elastic import ElasticIndex


def article(n: int, word: str = "harbour") -> dict[str, object]:
    return {"id": f"b{n}", "url": f"https://a.example/{n}", "title": f"The {word} story {n}",
            "body": f"Boats left the {word} at dawn, report {n}.",
            "source": {"id": "a", "name": "A"},
            "published_at": "2026-11-02T10:00:00+00:00"}  # fmt: skip


@pytest.fixture
def index(es_url: str) -> Iterator[ElasticIndex]:
    opened = ElasticIndex(es_url, f"bulk-{uuid.uuid4().hex[:8]}")
    yield opened
    opened.drop()
    opened.close()


def test_every_article_loaded_in_batches_is_searchable_when_loading_ends(
    index: ElasticIndex,
) -> None:
    with index.bulk_loading():
        for start in range(0, 30, 10):
            index.upsert([article(n) for n in range(start, start + 10)])
    assert index.count() == 30
    assert index.search(SearchRequest(q="harbour", limit=50)).total == 30


def test_upserts_are_visible_on_return_again_after_loading_failed(index: ElasticIndex) -> None:
    with pytest.raises(RuntimeError), index.bulk_loading():
        index.upsert([article(1)])
        raise RuntimeError("the loader failed")
    index.upsert([article(2, "lighthouse")])  # no explicit refresh: upsert must wait for one
    hits = index.search(SearchRequest(q="lighthouse")).hits
    assert [hit.id for hit in hits] == ["b2"]
