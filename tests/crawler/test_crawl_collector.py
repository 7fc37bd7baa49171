"""The crawl's process collects its youngest generation less often (crawler/run/collector.py)."""

from __future__ import annotations

import gc

from crawler.run.collector import YOUNG_THRESHOLD, collect_for_crawl


def young_collections_during(burst: int) -> int:
    """Collections while ``burst`` short-lived containers are held at once (as a page's
    request, response and deferreds are while it is in hand), then dropped. Every generation's
    are counted: a young collection that finds an older generation due runs as that one's."""
    before = sum(generation["collections"] for generation in gc.get_stats())
    held = [[i] for i in range(burst)]
    del held
    return sum(generation["collections"] for generation in gc.get_stats()) - before


def test_a_pages_worth_of_short_lived_objects_triggers_no_collection_in_a_crawl() -> None:
    assert gc.isenabled()
    default = gc.get_threshold()
    burst = default[0] * 5  # five young collections' worth at the default threshold
    assert burst < YOUNG_THRESHOLD
    assert young_collections_during(burst) >= 4
    with collect_for_crawl():
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *default[1:])
        assert young_collections_during(burst) == 0
    assert gc.get_threshold() == default  # restored for whatever runs after the crawl


def test_the_thresholds_are_restored_when_the_crawl_raises() -> None:
    default = gc.get_threshold()
    try:
        with collect_for_crawl(young=default[0] * 3):
            raise RuntimeError("the reactor failed")
    except RuntimeError:
        pass
    assert gc.get_threshold() == default
