"""A digest of everything a PostgreSQL store keeps after one fixed stream of batches with stories
on, to show that two versions of the store code store the same (run it in each tree, compare).

The stream: the writers bench's articles of 4 outlets interleaved (2,048), a seventh of them
stored again with a new title, copies of every eleventh under another source and URL, in
batches of 64 through one :class:`StoryBook`. Per table: rows and a hash of them all, less the
clock (``fetched_at``, which :func:`normalise` stamps, and the stories' ``fetched_span``).

    nice -n 10 .venv/bin/python bench/store_digest.py
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.stories_writers import BATCH, articles  # noqa: E402
from tidings.dev.postgres import PostgresCluster  # noqa: E402

#: Table -> its columns, the first two the order of its rows.
TABLES = {
    "articles": "id, canonical_url, content_hash, source_id, cluster_id, fingerprint, record",
    "fingerprint_bands": "band, article_id",
    "article_topics": "article_id, topic_id",
    "story_articles": "article_id, story_id, seq",
    "stories": "id, last_seen, articles, record",
    "index_pending": "article_id, version",
    "story_pending": "story_id, version",
    "story_journal": "seq, entries",
    "story_state": "id, seq",
}
CLOCK = ("fetched_at", "fetched_span")


def stream() -> list[dict[str, Any]]:
    """The records in the order they are stored."""
    outlets = [articles(k, 512, seed=3) for k in range(4)]
    first = [r for batch in zip(*outlets, strict=True) for r in batch]
    again = [dict(r, title=f"{r['title']} (updated)") for r in first[::7]]
    copies = [
        {**r, "id": None, "url": f"{r['url']}/copy", "canonical_url": f"{r['canonical_url']}/copy",
         "source": {"id": "copier", "name": "Copier"}}
        for r in first[::11]
    ]  # fmt: skip
    return first[:1024] + again[:100] + copies + first[1024:] + again[100:]


def _clockless(value: Any) -> Any:
    """A row value without the clock: JSON records lose their clock fields."""
    if isinstance(value, str) and value.startswith("{"):
        return {k: v for k, v in json.loads(value).items() if k not in CLOCK}
    return bytes(value).hex() if isinstance(value, memoryview | bytes) else value


def digest(url: str) -> dict[str, tuple[int, str]]:
    """Store :func:`stream` at ``url`` and digest each table."""
    from tidings.core.store.postgres import PostgresStore
    from tidings.core.stories.book import StoryBook

    store, book = PostgresStore(url), StoryBook()
    records = stream()
    for i in range(0, len(records), BATCH):
        book.store(store, records[i : i + BATCH], track_index=True)
    out = {}
    for table, columns in TABLES.items():
        order = ", ".join(columns.split(", ")[:2])
        rows = store._pg.query(f"SELECT {columns} FROM {table} ORDER BY {order}")  # noqa: S608, SLF001
        text = json.dumps([[_clockless(v) for v in row.values()] for row in rows], sort_keys=True)
        out[table] = (len(rows), hashlib.sha256(text.encode()).hexdigest()[:16])
    store.close()
    return out


def main() -> None:
    with PostgresCluster() as cluster:
        found = digest(cluster.fresh_database("digest"))
    print("| table | rows | sha256 (first 16) |\n|---|---|---|")
    for table, (rows, sha) in found.items():
        print(f"| {table} | {rows} | {sha} |")


if __name__ == "__main__":
    main()
