"""An index whose shards are not active, on the real node: the cluster's 503 is one
IndexUnavailable line (CLI: exit 2; API: 503), never a traceback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

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


def test_shards_that_have_not_started_are_one_clear_error(
    unassigned: tuple[Elasticsearch, str], es_url: str
) -> None:
    _, alias = unassigned
    index = ElasticIndex(es_url, alias)
    try:
        with pytest.raises(IndexUnavailable, match=r"cannot answer now \(503\)"):
            index.count()
    finally:
        index.close()
