"""``bench/stories_writers.py``'s consistency check: after several writers placed into one
PostgreSQL, one writer storing the stored articles again in the order they were first stored
(``tidings restory``'s order) must give the same stories, and the check must see it when a
stored story differs."""

from __future__ import annotations

from bench.stories_writers import database_name, run, same_as_one_writer
from tidings.core.store.postgres import PostgresStore
from tidings.dev.postgres import PostgresCluster


def test_writers_taking_turns_group_as_one_writer_and_a_changed_story_is_seen(
    pg_cluster: PostgresCluster,
) -> None:
    row = run(pg_cluster, 3, 64, seed=7, stories=True, pace=0.0)
    assert row["= one writer"] == "yes" and row["unplaced"] == 0
    url = pg_cluster.url.rsplit("/", 1)[0] + "/" + database_name(3, True, 7)
    with PostgresStore(url) as store:
        first = next(iter(store.iter_articles(1)))[0]
        store.assign_stories({first["id"]: "a-story-nobody-placed"})
    assert same_as_one_writer(pg_cluster, url, "t_same_as_one_writer_again") == "no: 1 articles"
