"""``bench/stories_writers.py`` on a small run: two writer processes on one PostgreSQL database
store every article once with stories on (none left unplaced, one stream of stories), and the
lock they take turns on shows up in the figures."""

from __future__ import annotations

from bench.stories_writers import database_name, run
from tidings.core.store.postgres import PostgresStore
from tidings.dev.postgres import PostgresCluster


def test_two_writers_store_everything_placed_and_report_their_lock_wait(
    pg_cluster: PostgresCluster,
) -> None:
    row = run(pg_cluster, 2, 128, seed=5, stories=True, pace=0.0)  # run() checks the count
    assert row["articles"] == 256 and row["unplaced"] == 0
    assert 0 < row["stories made"] < 256  # the writers' articles share events
    # back to back, two writers spend most of a turn waiting for the other's
    assert 0.1 < row["lock-wait share"] < 1 and row["lock held ms/batch"] > 0
    assert row["writer CPU ms/article"] > 0 and row["server CPU ms/article"] > 0
    url = pg_cluster.url.rsplit("/", 1)[0] + "/" + database_name(2, True, 5)
    with PostgresStore(url) as store, store.placing() as tx:
        assert tx.position() == 256  # one stream: every placement continued the last
