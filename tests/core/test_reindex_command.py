"""``tidings reindex``: a rebuild that readers never see half-done."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import tantivy

from tidings.cli.main import main
from tidings.core.config import Settings
from tidings.core.index import EmbeddedIndex, SearchRequest, open_index


def record(n: int) -> dict:
    return {
        "id": f"r{n}",
        "url": f"https://daily.example/r{n}",
        "source": {"id": "daily", "name": "Daily", "domain": "daily.example"},
        "title": f"Harbour story {n}",
        "body": "The harbour reopened after the storm. " * 5,
        "published_at": f"2024-03-{n + 1:02d}T12:00:00+00:00",
        "topics": [{"id": "business", "score": 0.9, "origin": "model"}],
        "language": "en",
    }


def test_reindex_replaces_the_index_in_one_commit(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(record(n)) + "\n" for n in range(5)))
    assert main(["--home", str(tmp_path), "import", str(data), "--no-classify"]) == 0
    reader = open_index(Settings(home=tmp_path))
    writer = EmbeddedIndex(Settings(home=tmp_path).index_dir, writable=True)
    stale = {**record(99), "title": "Stale harbour"}
    writer.upsert([stale])  # in the index but not in the store: a rebuild drops it
    seen: list[int] = []

    def batches() -> Iterator[list[dict]]:
        for n in range(5):
            seen.append(reader.count())  # what a search sees while the rebuild runs
            yield [record(n)]

    assert writer.rebuild(batches()) == 5
    writer.close()
    assert seen == [6] * 5  # readers kept the whole old index while the new one loaded
    assert reader.count() == 5
    assert reader.search(SearchRequest(q="stale")).total == 0
    reader.close()


def test_reindex_rebuilds_an_index_with_an_old_schema(tmp_path: Path) -> None:
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(record(n)) + "\n" for n in range(3)))
    assert main(["--home", str(tmp_path), "import", str(data), "--no-classify"]) == 0
    index_dir = Settings(home=tmp_path).index_dir
    for path in index_dir.iterdir():
        if path.is_file():  # the article index's files (stories/ holds the story documents)
            path.unlink()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True)
    tantivy.Index(builder.build(), path=str(index_dir))  # an index of another schema
    assert main(["--home", str(tmp_path), "reindex"]) == 0
    index = open_index(Settings(home=tmp_path))
    assert index.count() == 3
    assert index.search(SearchRequest(q="harbour")).total == 3
    index.close()
