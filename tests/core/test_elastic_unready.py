"""An index whose shards are not active yet, on the real node: opening it waits for them, and
a cluster that still cannot answer is one IndexUnavailable line (CLI: exit 2; API: 503), never
a traceback. Two crawler hosts starting together meet this: one creates the index, the other
finds it while its shards are still initialising."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from elasticsearch import Elasticsearch

from tidings.core.index.base import IndexUnavailable
from tidings.core.index.elastic import ElasticIndex

NOWHERE = {"index.routing.allocation.require._name": "no-such-node"}


@pytest.fixture
def unassigned(es_url: str) -> Iterator[tuple[Elasticsearch, str]]:
    """An index (behind its alias) whose primary shard cannot be placed on any node."""
    client = Elasticsearch(es_url)
    name = f"unready-{uuid.uuid4().hex[:8]}"
    client.indices.create(
        index=f"{name}-1", aliases={name: {}}, wait_for_active_shards="0",
        settings={"number_of_replicas": 0, **NOWHERE},
    )  # fmt: skip
    yield client, name
    client.indices.delete(index=f"{name}-1", ignore_unavailable=True)
    client.close()


def test_shards_that_never_start_are_one_clear_error(
    unassigned: tuple[Elasticsearch, str], es_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, alias = unassigned
    monkeypatch.setattr(ElasticIndex, "shard_wait", "1s")
    index = ElasticIndex(es_url, alias)
    try:
        with pytest.raises(IndexUnavailable, match=r"cannot answer now \(503\)"):
            index.count()
    finally:
        index.close()


def test_opening_waits_for_shards_that_are_starting(
    unassigned: tuple[Elasticsearch, str], es_url: str
) -> None:
    client, alias = unassigned
    index = ElasticIndex(es_url, alias)
    try:
        with ThreadPoolExecutor(1) as thread:
            counted = thread.submit(index.count)  # finds the index with no active shard yet
            time.sleep(1.0)
            assert not counted.done(), "count() should wait for the shard, not answer or fail"
            client.indices.put_settings(  # now the shard may start
                index=alias, settings={"index.routing.allocation.require._name": None}
            )
            assert counted.result(timeout=60) == 0
    finally:
        index.close()
