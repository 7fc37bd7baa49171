"""End to end on the bundled demo site (Circuit Daily): feeds + sitemaps, every date right."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from tidings.core.article import article_id
from tidings.core.store import Store
from tidings.demo.articles import CIRCUIT_DAILY, published_by
from tidings.demo.server import serve_demo_site

REPO = Path(__file__).resolve().parents[2]


def test_demo_site_crawl(tmp_path: Path) -> None:
    home = tmp_path / "home"
    with serve_demo_site() as site:
        base = site.base_url
        result = subprocess.run(
            [sys.executable, "-m", "tidings", "crawl", "--feed", f"{base}/feed.rss",
             "--feed", f"{base}/feed.atom", "--sitemap", f"{base}/sitemap.xml",
             "--home", str(home), "--no-classify", "--log-level", "WARNING"],
            cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        hits = Counter(hit.path for hit in site.hits if hit.method == "GET")
    assert result.returncode == 0, result.stderr
    assert "errors: http 1" in result.stdout
    with Store(home / "tidings.db") as store:
        assert store.count() == 46
        clusters = {r["cluster_id"] for batch in store.iter_articles() for r in batch}
        assert len(clusters) == 44  # two syndicated pairs
        for article in published_by(CIRCUIT_DAILY):
            record = store.get(article_id(f"{base}{article.url_path}"))
            if not article.served:
                assert record is None
                continue
            assert record is not None, article.url_path
            expected = article.published_utc.isoformat() if article.published_utc else None
            assert record["published_at"] == expected, article.url_path
            assert record["title"] == article.title
            assert record["authors"] == list(article.authors)
            assert hits[article.url_path] == 1, article.url_path  # feeds and sitemaps overlap
        (error,) = store.errors()
        assert (error["kind"], error["message"]) == ("http", "HTTP 500")
