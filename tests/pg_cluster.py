"""Starting a real PostgreSQL cluster in tests: skip without one locally, fail in CI."""

from __future__ import annotations

import os

import pytest

from tidings.dev.postgres import ClusterError, PostgresCluster


def pg_unavailable(reason: str) -> None:
    """Fail in CI, skip elsewhere: no PostgreSQL test may pass by not running in CI."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(f"PostgreSQL is required in CI: {reason}", pytrace=False)
    pytest.skip(f"no PostgreSQL: {reason}")


def started_cluster(**options: object) -> PostgresCluster:
    """A running private cluster (the caller stops it), or the test skips/fails as above."""
    cluster = PostgresCluster(**options)  # type: ignore[arg-type]
    try:
        cluster.start()
    except (ClusterError, OSError) as exc:
        pg_unavailable(str(exc))
    return cluster
