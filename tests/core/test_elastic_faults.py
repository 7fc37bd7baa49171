"""A cluster that answers with a fault is one :class:`IndexUnavailable` on every request path.

A failing node (500), a full queue (429), a gateway with no node behind it (502) and no active
shard (503) are the cluster's trouble, not the request's: search (with its facets), trends,
related, recent, count, the bulk writes, the point in time of a deep date page and a rebuild
must all say so in the same one line (the CLI prints it and exits 2, the API answers 503),
never let the client's exception through (a traceback, a 500). The faults come from a proxy
(:mod:`es_proxy`) in front of the session's real node; everything else reaches the node.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest
from es_proxy import AuthProxy

from tidings.core.index.base import IndexUnavailable, QueryError, SearchRequest
from tidings.core.index.elastic import ElasticIndex
from tidings.core.index.stories import StoryQuery
from tidings.core.stories.record import StoryRecord


def article(n: int) -> dict[str, object]:
    return {"id": f"f{n}", "url": f"https://a.example/{n}", "title": f"Harbour works {n}",
            "body": f"The harbour reopened after repairs to the northern pier, report {n}.",
            "source": {"id": "a", "name": "A"}, "topics": [{"id": "world", "score": 0.9}],
            "published_at": f"2026-11-0{1 + n % 9}T10:00:00+00:00"}  # fmt: skip


def story(n: int) -> dict[str, object]:
    """A story record of one article (:func:`article`), as the store builds it."""
    record = StoryRecord(f"s{n}")
    record.add({**article(n), "entities": []}, title_fit=1.0)
    return record.dump()


@pytest.fixture(scope="module")
def index(proxy: AuthProxy) -> Iterator[ElasticIndex]:
    """Six articles on the real node, reached through the proxy (bulk retries kept short)."""
    opened = ElasticIndex(
        proxy.with_password(), f"faults-{uuid.uuid4().hex[:8]}", initial_backoff=0.01,
        max_backoff=0.05, max_retries=2,
    )  # fmt: skip
    opened.upsert([article(n) for n in range(6)])
    yield opened
    opened.drop()
    opened.close()


CALLS: dict[str, tuple[str, Callable[[ElasticIndex], object]]] = {
    "search": ("_search", lambda ix: ix.search(SearchRequest(q="harbour", facets=()))),
    "facets": ("_search", lambda ix: ix.search(SearchRequest(q="harbour", topics=("world",)))),
    "trends": ("_search", lambda ix: ix.trends(SearchRequest(q="harbour"), "topic")),
    "related": ("_search", lambda ix: ix.more_like_this("f1")),
    "recent": ("_search", lambda ix: ix.recent()),
    "count": ("_count", lambda ix: ix.count()),
    "bulk upsert": ("_bulk", lambda ix: ix.upsert([article(7)])),
    "bulk delete": ("_bulk", lambda ix: ix.delete(["f5"])),
}
STATUSES = [500, 429, 502, 503]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("call", sorted(CALLS))
def test_a_cluster_fault_is_one_unavailable_line(
    call: str, status: int, index: ElasticIndex, proxy: AuthProxy
) -> None:
    fragment, run = CALLS[call]
    run(index)  # works while the cluster answers
    faulted = proxy.faulted
    with proxy.failing(fragment, status), pytest.raises(IndexUnavailable) as raised:
        run(index)
    assert proxy.faulted > faulted  # the fault, not something else, stopped it
    message = str(raised.value)
    assert f"cannot answer now ({status})" in message
    assert "\n" not in message and "harbour-7" not in message  # one line, no password
    run(index)  # and it recovers by itself when the cluster answers again


@pytest.mark.parametrize("status", [500, 429])
def test_opening_the_point_in_time_of_a_deep_date_page(
    status: int, index: ElasticIndex, proxy: AuthProxy
) -> None:
    first = index.search(SearchRequest(q="harbour", sort="date", limit=2, facets=()))
    assert first.next_cursor
    later = SearchRequest(q="harbour", sort="date", limit=2, facets=(), cursor=first.next_cursor)
    with proxy.failing("/_pit", status), pytest.raises(IndexUnavailable, match=f"({status})"):
        index.search(later)


def test_a_rebuild_that_meets_a_fault_keeps_the_old_index(
    index: ElasticIndex, proxy: AuthProxy
) -> None:
    before = index.count()
    with proxy.failing("_bulk", 500), pytest.raises(IndexUnavailable, match=r"\(500\)"):
        index.rebuild([[article(n) for n in range(3)]])
    assert index.count() == before  # the alias still points to the full index
    assert index.search(SearchRequest(q="harbour", facets=())).total == before


def test_a_story_rebuild_that_meets_a_fault_keeps_the_old_index(
    index: ElasticIndex, proxy: AuthProxy
) -> None:
    """The story documents' rebuild is the articles' (one alias switch): same guarantees."""
    stories = index.stories
    stories.rebuild([[story(n) for n in range(2)]])
    built = sorted(index.cluster.client.indices.get(index=f"{stories.alias}-v*"))
    with proxy.failing("_bulk", 500), pytest.raises(IndexUnavailable, match=r"\(500\)"):
        stories.rebuild([[story(n) for n in range(3)]])
    assert stories.count() == 2  # the alias still points to the full index
    assert sorted(stories.search(StoryQuery(q="harbour"))) == ["s0", "s1"]
    assert sorted(index.cluster.client.indices.get(index=f"{stories.alias}-v*")) == built


def test_a_refused_query_stays_the_query_s_error(index: ElasticIndex, proxy: AuthProxy) -> None:
    # the boundary: a 400 from the cluster is the user's query (the API's 400), not a fault
    with proxy.failing("_search", 400), pytest.raises(QueryError, match="too many clauses"):
        index.search(SearchRequest(q="harbour", facets=()))
