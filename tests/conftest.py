"""Fixtures shared by the whole suite: one real Elasticsearch node and one real PostgreSQL
cluster per test session, each started on first use.

The node starts on first use only (a run that needs no Elasticsearch never pays its start-up),
from Elastic's integ-test build via :mod:`tidings.dev.elasticsearch`. ``TIDINGS_ES_URL`` set
before the run points the tests at an existing cluster instead. Where the node cannot start
(no Java or Maven), Elasticsearch tests skip with the reason, except in CI (``CI=true``), where
they fail: CI must prove the backend on a real cluster. PostgreSQL likewise
(:mod:`tidings.dev.postgres`, Debian's ``postgresql``): each test that asks for ``pg_url`` gets
a database of its own in the session's cluster. ``proxy`` puts the node behind basic auth and
on-demand faults (:mod:`es_proxy`) for the fault and CLI error tests.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator

import pytest
from es_node import started_node
from es_proxy import AuthProxy
from pg_cluster import started_cluster

from tidings.dev.elasticsearch import ElasticsearchNode
from tidings.dev.postgres import PostgresCluster


@pytest.fixture(scope="session")
def es_node() -> Iterator[ElasticsearchNode]:
    """A single-node cluster on 127.0.0.1 that this session started (and stops)."""
    node = started_node()
    yield node
    node.stop()


@pytest.fixture(scope="session")
def es_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a live cluster, exported as ``TIDINGS_ES_URL`` for code and subprocesses."""
    url = os.environ.get("TIDINGS_ES_URL") or request.getfixturevalue("es_node").url
    previous = os.environ.get("TIDINGS_ES_URL")
    os.environ["TIDINGS_ES_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("TIDINGS_ES_URL", None)


@pytest.fixture(scope="module")
def proxy(es_url: str) -> Iterator[AuthProxy]:
    """The session's node behind a fault-injecting basic-auth proxy (:mod:`es_proxy`), one per
    test module (its counters and faults stay that module's)."""
    server = AuthProxy(es_url)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    """A private PostgreSQL cluster on 127.0.0.1 that this session started (and stops)."""
    cluster = started_cluster()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PostgresCluster, request: pytest.FixtureRequest) -> str:
    """The URL of an empty database of this test's own in the session's cluster."""
    name = re.sub(r"[^a-z0-9_]", "_", request.node.name.lower())
    digest = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:8]
    return pg_cluster.fresh_database(f"t_{name[:40]}_{digest}")
