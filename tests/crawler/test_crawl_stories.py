"""Stories in a real crawl of the demo site: every stored article has its story, and copies
(one near-duplicate cluster) nest inside one story."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from crawl_run import run_crawl

from tidings.core.store import Store
from tidings.demo.server import serve_demo_site


def test_a_crawl_places_every_article_in_a_story_and_copies_nest(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve_demo_site() as site:
        run_crawl(home, "--feed", f"{site.base_url}/feed.rss", "--sitemap",
                  f"{site.base_url}/sitemap.xml")  # fmt: skip
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
