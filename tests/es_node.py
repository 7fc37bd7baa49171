"""Starting a real Elasticsearch node in tests: skip without one locally, fail in CI."""

from __future__ import annotations

import os

import pytest

from tidings.dev.elasticsearch import ElasticsearchNode, NodeError


def es_unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere: no Elasticsearch test may pass by not running in CI."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"Elasticsearch is required in CI: {reason}", pytrace=False)
    pytest.skip(f"no Elasticsearch: {reason}")


def started_node(heap: str = "512m") -> ElasticsearchNode:
    """A running node (the caller stops it), or the test skips/fails as above."""
    node = ElasticsearchNode(heap=heap)
    try:
        node.start()
    except (NodeError, OSError) as exc:
        es_unavailable(str(exc))
    return node
