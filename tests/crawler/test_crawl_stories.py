"""Stories in a real crawl of the demo site: every stored article has its story, copies (one
near-duplicate cluster) nest inside one story, and every story is a document in the index."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from crawl_run import run_crawl
from crawl_site import SiteServer

from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import open_index
from tidings.core.index.stories import StoryQuery
from tidings.core.store import Store
from tidings.core.stories.book import dump
from tidings.demo.server import serve_demo_site


def test_a_crawl_places_every_article_in_a_story_and_copies_nest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve_demo_site() as site:
        run_crawl(home, "--feed", f"{site.base_url}/feed.rss", "--sitemap",
                  f"{site.base_url}/sitemap.xml", timeout=300)  # fmt: skip  # ~110 s at load 30
    with Store(home / "tidings.db") as store:
        records = [r for batch in store.iter_articles() for r in batch]
        assert len(records) > 40
        assert all(r.get("story_id") for r in records)
        stories_of_cluster: dict[str, set[str]] = defaultdict(set)
        for r in records:
            stories_of_cluster[r["cluster_id"]].add(r["story_id"])
        assert all(len(s) == 1 for s in stories_of_cluster.values())
        assert any(len({r["id"] for r in records if r["cluster_id"] == c}) > 1
                   for c in stories_of_cluster)  # fmt: skip  # the demo has syndicated copies
        story_ids = {r["story_id"] for r in records}
        assert store.story_count() == len(story_ids)
        for sid in story_ids:
            story = store.story(sid)
            assert story is not None
            members = sorted(r["id"] for r in records if r["story_id"] == sid)
            assert sorted(story["article_ids"]) == members
            assert story["headline"] in {r["title"] for r in records if r["story_id"] == sid}
        assert store.pending_stories() == []
    index = open_index(Settings(home=home))
    try:
        assert set(index.stories.search(StoryQuery(limit=5000))) == story_ids
    finally:
        index.close()


def test_a_crawl_counts_per_source_the_articles_it_stored_without_a_story(
    tmp_path: Path,
) -> None:
    """A journal row this version cannot replay (written by a faulty writer) makes every
    placement fail: the crawl stores every article all the same, without a story, and says how
    many in its summary and in each source's run counters; ``tidings restory`` then places them."""
    home = tmp_path / "home"
    home.mkdir()
    with Store(home / "tidings.db") as store, store.placing() as tx:
        tx.append_journal(1, dump([("not", "a placement")]))  # type: ignore[list-item]
    server = SiteServer()
    try:
        base = server.base_url
        sources = home / "sources.toml"
        sources.write_text(
            f'[[sources]]\nid = "feeds"\nfeeds = ["{base}/feed.rss"]\n\n'
            f'[[sources]]\nid = "maps"\nsitemaps = ["{base}/sitemap.xml"]\n',
            encoding="utf-8",
        )
        result = run_crawl(home, "--sources", str(sources), "--batch-size", "2")
    finally:
        server.stop()
    with Store(home / "tidings.db") as store:
        records = [r for batch in store.iter_articles() for r in batch]
        per_source = {h["source_id"]: h["last_run"] for h in store.source_health()}
    assert records and not any(r.get("story_id") for r in records)
    stored_by = {sid: sum(r["source"]["id"] == sid for r in records) for sid in per_source}
    assert all(stored_by.values())
    for sid, n in stored_by.items():
        assert per_source[sid]["stories/unplaced"] == n
    assert f"{len(records)} new, 0 updated, 0 unchanged, {len(records)} without a story" in (
        result.stdout
    )

    assert main(["--home", str(home), "restory"]) == 0  # the row is dropped with the stories
    with Store(home / "tidings.db") as store:
        assert all(r.get("story_id") for batch in store.iter_articles() for r in batch)
